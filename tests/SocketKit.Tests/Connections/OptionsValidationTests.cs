using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Tcp;

namespace SocketKit.Tests.Connections;

public class OptionsValidationTests
{
    [Theory]
    [InlineData(nameof(ConnectionOptions.SendBufferHighWatermark))]
    [InlineData(nameof(ConnectionOptions.SendBufferLowWatermark))]
    [InlineData(nameof(ConnectionOptions.WriteTimeout))]
    [InlineData(nameof(ConnectionOptions.IdleTimeout))]
    [InlineData(nameof(ConnectionOptions.ReceiveSegmentSize))]
    [InlineData(nameof(ConnectionOptions.FrameTimeout))]
    public void A_bad_connection_option_is_named_in_the_error(string name)
    {
        var options = new ConnectionOptions();
        switch (name)
        {
            case nameof(ConnectionOptions.SendBufferHighWatermark): options.SendBufferHighWatermark = 0; break;
            case nameof(ConnectionOptions.SendBufferLowWatermark): options.SendBufferLowWatermark = options.SendBufferHighWatermark + 1; break;
            case nameof(ConnectionOptions.WriteTimeout): options.WriteTimeout = TimeSpan.Zero; break;
            case nameof(ConnectionOptions.IdleTimeout): options.IdleTimeout = TimeSpan.FromSeconds(-5); break;
            case nameof(ConnectionOptions.ReceiveSegmentSize): options.ReceiveSegmentSize = 10; break;
            case nameof(ConnectionOptions.FrameTimeout): options.FrameTimeout = TimeSpan.Zero; break;
        }

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_receive_buffer_is_derived_to_fit_a_maximum_frame_plus_header_plus_a_segment()
    {
        var options = new ConnectionOptions { ReceiveSegmentSize = 16 * 1024 };
        Assert.Equal(1024 * 1024 + 4 + (16 * 1024), options.ReceiveBufferLimit(1024 * 1024, 4));
        Assert.Equal(64 * 1024, options.ReceiveBufferLimit(100, 4)); // never below the pipe default
    }

    [Fact]
    public void A_receive_buffer_too_small_for_a_maximum_frame_is_rejected()
    {
        var options = new ConnectionOptions { MaxReceiveBufferSize = 64 * 1024 };
        var error = Assert.Throws<ArgumentException>(() => options.ReceiveBufferLimit(64 * 1024, 4));
        Assert.Contains(nameof(ConnectionOptions.MaxReceiveBufferSize), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_checks_its_options_at_start()
    {
        var noEndPoints = new TcpServer<string, string>(new TcpServerOptions(), Codec.Lines(), new Infrastructure.NullHandler());
        var error = await Assert.ThrowsAsync<ArgumentException>(() => noEndPoints.StartAsync());
        Assert.Contains(nameof(TcpServerOptions.EndPoints), error.Message, StringComparison.Ordinal);

        var options = new TcpServerOptions { EndPoints = { new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) } };
        options.Connection.MaxReceiveBufferSize = 1024;
        var tooSmall = new TcpServer<string, string>(options, Codec.Lines(), new Infrastructure.NullHandler());
        error = await Assert.ThrowsAsync<ArgumentException>(() => tooSmall.StartAsync());
        Assert.Contains(nameof(ConnectionOptions.MaxReceiveBufferSize), error.Message, StringComparison.Ordinal);
        Assert.Empty(tooSmall.EndPoints);
    }

    [Theory]
    [InlineData(nameof(TcpServerOptions.MaxConnectionsPerAddress))]
    [InlineData(nameof(TcpServerOptions.MaxAcceptsPerSecond))]
    public void Server_limits_are_checked(string name)
    {
        var options = new TcpServerOptions { EndPoints = { new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) } };
        if (name == nameof(TcpServerOptions.MaxConnectionsPerAddress))
        {
            options.MaxConnectionsPerAddress = 0;
        }
        else
        {
            options.MaxAcceptsPerSecond = 0;
        }

        Assert.Equal(name, Assert.Throws<ArgumentException>(options.Validate).ParamName);
    }

    [Fact]
    public void Limits_have_safe_defaults()
    {
        var options = new TcpServerOptions();
        Assert.Equal(10_000, options.MaxConnections);
        Assert.Equal(1_000, options.MaxConnectionsPerAddress);
        Assert.Null(options.MaxAcceptsPerSecond);
        Assert.Equal(512, options.Backlog);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Connection.FrameTimeout);
        Assert.Equal(1024 * 1024, new SocketKit.Codecs.LengthFieldFramerOptions().MaxFrameLength);
    }
}
