using System.CommandLine;
using System.Net;
using SocketKit.Samples;
using RemoteControl;

var host = new Option<string>("--host") { Description = "The address to listen on or connect to.", DefaultValueFactory = _ => "127.0.0.1" };
var port = new Option<int>("--port") { Description = "The TCP port.", DefaultValueFactory = _ => 5003 };
var keyFile = new Option<string>("--key-file") { Description = "The shared key (the agent creates it; copy it to the controller).", Required = true };
var allow = new Option<string>("--allow") { Description = "The only folder `tail` may read.", DefaultValueFactory = _ => "." };
var known = new Option<string>("--known-agents") { Description = "Where agents' certificate fingerprints are pinned.", DefaultValueFactory = _ => "known_agents" };
var command = new Argument<string>("COMMAND") { Description = $"One of: {string.Join(", ", AgentCommands.Names)}." };
var arguments = new Argument<string[]>("ARGS") { Arity = ArgumentArity.ZeroOrMore };

var agent = new Command("agent", "Run the agent until Ctrl+C or SIGTERM.") { host, port, keyFile, allow };
agent.SetAction((r, ct) => AgentServer.RunAsync(new IPEndPoint(IPAddress.Parse(r.GetValue(host)!), r.GetValue(port)), r.GetValue(keyFile)!, r.GetValue(allow)!, ct));

var control = new Command("control", "Run one command on an agent and print its output.") { host, port, keyFile, known, command, arguments };
control.SetAction(async (r, ct) =>
{
    try
    {
        return await Controller.RunAsync(new DnsEndPoint(r.GetValue(host)!, r.GetValue(port)), r.GetValue(keyFile)!, r.GetValue(known)!,
            r.GetValue(command)!, r.GetValue(arguments) ?? [], Console.Out, ct);
    }
    catch (RemoteControlException e)
    {
        await Console.Error.WriteLineAsync($"error: {e.Message}");
        return 1;
    }
});

return await SampleCommandLine.InvokeAsync(
    new RootCommand("SocketKit remote control sample: an agent that runs an allow-list of commands for authenticated controllers over TLS.") { agent, control }.Parse(args),
    new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(15) });
