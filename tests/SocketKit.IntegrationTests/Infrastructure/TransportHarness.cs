using System.Net;
using System.Security.Cryptography.X509Certificates;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Tcp;
using SocketKit.Testing;
using SocketKit.Tls;
using SocketKit.Udp;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>The transports one functional test body runs against.</summary>
public enum TransportKind
{
    Tcp,
    Tls,
    InMemory,
    UdpSession,
}

/// <summary>
/// A server side whose connections are recorded, and one client that drives it, over any transport: the same test
/// body checks the connection contract on each. Text messages, one per line (one per datagram over UDP).
/// </summary>
public abstract class TransportHarness : IAsyncDisposable
{
    private static readonly X509Certificate2 Certificate = TestCertificates.Create("localhost");
    private IAsyncEnumerator<string>? _replies;

    protected TransportHarness(ServerRecorder<string, string> handler) => Handler = handler;

    /// <summary>The server side's handler: each connection gets its own recorder.</summary>
    public ServerRecorder<string, string> Handler { get; }

    /// <summary>Whether the transport is a byte stream with FIN and RST (not UDP).</summary>
    public virtual bool IsStream => true;

    public static async Task<TransportHarness> StartAsync(
        TransportKind kind, Func<RecordingHandler<string, string>>? handler = null, Action<ConnectionOptions>? configure = null)
    {
        var recorder = new ServerRecorder<string, string>(handler ?? (() => new() { OnMessage = (c, m, ct) => c.SendAsync(m, ct) }));
        var options = new ConnectionOptions();
        configure?.Invoke(options);
        TransportHarness harness = kind switch
        {
            TransportKind.Tcp => new TcpHarness(recorder, options, tls: false),
            TransportKind.Tls => new TcpHarness(recorder, options, tls: true),
            TransportKind.InMemory => new InMemoryHarness(recorder, options),
            _ => new UdpSessionHarness(recorder, options),
        };
        await harness.StartAsync();
        return harness;
    }

    /// <summary>Why the client's side closed, if it has (for failure messages).</summary>
    public virtual string ClientState => "";

    /// <summary>The client sends one message.</summary>
    public abstract ValueTask SendAsync(string message);

    /// <summary>The next message the client receives, or <see langword="null"/> when the server has ended the stream.</summary>
    public async Task<string?> ReceiveAsync()
    {
        _replies ??= Replies().GetAsyncEnumerator(TestContext.Current.CancellationToken);
        return await AsyncAssert.Within(_replies.MoveNextAsync(), "a message for the client") ? _replies.Current : null;
    }

    /// <summary>The client finishes sending (FIN) and keeps reading.</summary>
    public virtual ValueTask FinishAsync() => throw new NotSupportedException("Datagrams have no FIN.");

    /// <summary>The client resets the connection.</summary>
    public virtual void Reset() => throw new NotSupportedException("Datagrams have no reset.");

    /// <summary>Stops the server gracefully.</summary>
    public virtual Task StopServerAsync() => throw new NotSupportedException("An in-memory connection has no server.");

    public async ValueTask DisposeAsync()
    {
        if (_replies is not null)
        {
            await _replies.DisposeAsync();
        }

        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    protected abstract ValueTask DisposeCoreAsync();

    /// <summary>The client first, so the server's stop finds its peer gone rather than waiting out its drain.</summary>
    protected static async ValueTask DisposeInOrderAsync(IAsyncDisposable? client, IAsyncDisposable? server)
    {
        if (client is not null)
        {
            await client.DisposeAsync();
        }

        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    protected abstract Task StartAsync();

    protected abstract IAsyncEnumerable<string> Replies();

    /// <summary>TCP, with or without TLS: a TcpServer and a pull-mode client from TcpConnector.</summary>
    private sealed class TcpHarness(ServerRecorder<string, string> handler, ConnectionOptions options, bool tls) : TransportHarness(handler)
    {
        private TcpServer<string, string>? _server;
        private Connection<string, string>? _client;

        public override ValueTask SendAsync(string message) => _client!.SendAsync(message, TestContext.Current.CancellationToken);

        public override ValueTask FinishAsync() => _client!.CompleteOutputAsync(TestContext.Current.CancellationToken);

        public override void Reset() => _client!.Abort();

        public override string ClientState => $"client {_client!.State}, {_client.CloseInfo}";

        public override Task StopServerAsync() => _server!.StopAsync(TestContext.Current.CancellationToken);

        protected override ValueTask DisposeCoreAsync() => DisposeInOrderAsync(_client, _server);

        protected override async Task StartAsync()
        {
            var serverOptions = new TcpServerOptions { EndPoints = { Loopback.Any4 }, Connection = options };
            var clientOptions = new TcpConnectorOptions();
            if (tls)
            {
                serverOptions.Tls = new TlsServerOptions { Certificate = Certificate };
                clientOptions.Tls = new TlsClientOptions
                {
                    TargetHost = "localhost",
                    RemoteCertificateValidation = (_, certificate, _, _) => certificate?.GetCertHashString() == Certificate.GetCertHashString(),
                };
            }

            _server = new TcpServer<string, string>(serverOptions, Codec.Lines(), Handler);
            await _server.StartAsync(TestContext.Current.CancellationToken);
            _client = await TcpConnector.ConnectAsync(_server.EndPoints[0], Codec.Lines(), options: clientOptions, cancellationToken: TestContext.Current.CancellationToken);
        }

        protected override IAsyncEnumerable<string> Replies() => _client!.ReadAllAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Two connections wired in memory: the server end with the handler, the client end in pull mode.</summary>
    private sealed class InMemoryHarness(ServerRecorder<string, string> handler, ConnectionOptions options) : TransportHarness(handler)
    {
        private Connection<string, string>? _client;

        public override ValueTask SendAsync(string message) => _client!.SendAsync(message, TestContext.Current.CancellationToken);

        public override ValueTask FinishAsync() => _client!.CompleteOutputAsync(TestContext.Current.CancellationToken);

        public override void Reset() => _client!.Abort();

        protected override ValueTask DisposeCoreAsync() => _client!.DisposeAsync();

        protected override Task StartAsync()
        {
            (_, _client) = InMemoryConnection.CreatePair(Codec.Lines(), Handler, Codec.Lines(), null, options);
            return Task.CompletedTask;
        }

        protected override IAsyncEnumerable<string> Replies() => _client!.ReadAllAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A UdpServer session: the client is a connected UDP endpoint, each message one datagram.</summary>
    private sealed class UdpSessionHarness(ServerRecorder<string, string> handler, ConnectionOptions options) : TransportHarness(handler)
    {
        private UdpServer<string, string>? _server;
        private UdpEndpoint<string, string>? _client;

        public override bool IsStream => false;

        public override ValueTask SendAsync(string message) => _client!.SendAsync(message, TestContext.Current.CancellationToken);

        public override Task StopServerAsync() => _server!.StopAsync(TestContext.Current.CancellationToken);

        protected override ValueTask DisposeCoreAsync() => DisposeInOrderAsync(_client, _server);

        protected override async Task StartAsync()
        {
            _server = await UdpTest.StartServerAsync(new UdpServerOptions { Session = options }, Handler);
            _client = await UdpTest.StartTextAsync(new UdpEndpointOptions { RemoteEndPoint = _server.LocalEndPoint });
        }

        protected override async IAsyncEnumerable<string> Replies()
        {
            await foreach (var datagram in _client!.ReceiveAllAsync(TestContext.Current.CancellationToken))
            {
                yield return datagram.Message;
            }
        }
    }
}
