using System.Text;

namespace HttpServer.Http;

/// <summary>The Date header's value (RFC 9110 IMF-fixdate), formatted at most once a second rather than per response.</summary>
internal sealed class DateHeader(TimeProvider time)
{
    private Stamp _cached = new(-1, []);

    public ReadOnlySpan<byte> Current
    {
        get
        {
            var now = time.GetUtcNow();
            var second = now.ToUnixTimeSeconds();
            var cached = Volatile.Read(ref _cached);
            if (cached.Second != second)
            {
                cached = new Stamp(second, Encoding.ASCII.GetBytes(now.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
                Volatile.Write(ref _cached, cached);
            }

            return cached.Value;
        }
    }

    private sealed record Stamp(long Second, byte[] Value);
}
