using Microsoft.Extensions.Options;
using SocketKit.Tcp;
using SocketKit.Udp;

namespace SocketKit.Hosting;

/// <summary>
/// Runs the options' own <c>Validate</c> when the host starts, so a bad setting stops the host with a message that
/// names the server and the setting, before anything is bound.
/// </summary>
internal sealed class ServerOptionsValidator(string name) : IValidateOptions<TcpServerOptions>, IValidateOptions<UdpServerOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, TcpServerOptions options) =>
        optionsName == name ? Check(options.Validate) : ValidateOptionsResult.Skip;

    public ValidateOptionsResult Validate(string? optionsName, UdpServerOptions options) =>
        optionsName == name ? Check(options.Validate) : ValidateOptionsResult.Skip;

    private ValidateOptionsResult Check(Action validate)
    {
        try
        {
            validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail($"SocketKit server '{name}': {e.Message}");
        }
    }
}
