using System.Net;
using DotNetty.Codecs;
using DotNetty.Transport.Bootstrapping;
using DotNetty.Transport.Channels;
using DotNetty.Transport.Channels.Sockets;
using SocketKit.Transports;

namespace SocketKit.Benchmarks.Echo.Servers;

/// <summary>DotNetty 0.7.6: LengthFieldBasedFrameDecoder + LengthFieldPrepender, echoing each frame, flushing once per read batch.</summary>
public static class DotNettyEchoServer
{
    public static async Task<int> StartAsync(CancellationToken stop)
    {
        var boss = new MultithreadEventLoopGroup(1);
        var workers = new MultithreadEventLoopGroup();
        var bootstrap = new ServerBootstrap()
            .Group(boss, workers)
            .Channel<TcpServerSocketChannel>()
            .Option(ChannelOption.SoBacklog, 4096)
            .ChildOption(ChannelOption.TcpNodelay, true)
            .ChildHandler(new ActionChannelInitializer<ISocketChannel>(channel => channel.Pipeline
                .AddLast(new LengthFieldPrepender(4))
                .AddLast(new LengthFieldBasedFrameDecoder(1024 * 1024 + 4, 0, 4, 0, 4))
                .AddLast(new EchoHandler())));
        var bound = await bootstrap.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        stop.Register(() => _ = Task.WhenAll(bound.CloseAsync(), boss.ShutdownGracefullyAsync(), workers.ShutdownGracefullyAsync()));
        return ((IPEndPoint)bound.LocalAddress).Port;
    }

    private sealed class EchoHandler : ChannelHandlerAdapter
    {
        public override void ChannelRead(IChannelHandlerContext context, object message) => context.WriteAsync(message);

        public override void ChannelReadComplete(IChannelHandlerContext context) => context.Flush();

        public override void ExceptionCaught(IChannelHandlerContext context, Exception exception) => context.CloseAsync();
    }
}
