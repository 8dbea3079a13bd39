using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace SocketKit.Hosting;

/// <summary>
/// Refuses a key in a server's configuration section that no setting has. Options are bound setting by setting, so the
/// binder's own check for unknown keys never sees the section, and a misspelled key (<c>Maxconnectons</c>) would be
/// silently ignored.
/// </summary>
internal static class ConfigurationKeys
{
    /// <summary>Fails, naming the key, when <paramref name="section"/> has a key that is not one of <paramref name="settings"/>.</summary>
    /// <param name="server">The server's name.</param>
    /// <param name="section">The section whose keys are checked (not its children's).</param>
    /// <param name="what">What the section configures, for the message ("a TCP server").</param>
    /// <param name="settings">The keys configuration can set there.</param>
    /// <param name="options">The options type the section configures: a key naming one of its other properties is a setting made in code.</param>
    public static void Check(string server, IConfiguration section, string what, IReadOnlyCollection<string> settings,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type options)
    {
        foreach (var child in section.GetChildren())
        {
            if (settings.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var inCode = options.GetProperties().Any(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            var why = inCode
                ? $"{child.Path} is set in code (with Configure), not from configuration."
                : $"{child.Path} is not a setting of {what}. Its settings are: {string.Join(", ", settings)}.";
            throw new OptionsValidationException(server, options, [$"SocketKit server '{server}': {why}"]);
        }
    }

    /// <summary>The properties of an options object bound whole that configuration can set: all but callbacks.</summary>
    public static string[] Settable([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type options) =>
        [.. options.GetProperties().Where(p => p.CanWrite && !typeof(Delegate).IsAssignableFrom(p.PropertyType)).Select(p => p.Name)];
}
