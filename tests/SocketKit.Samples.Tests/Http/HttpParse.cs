using System.Buffers;
using System.Text;
using HttpServer.Http;
using SocketKit.Testing;

namespace SocketKit.Samples.Tests.Http;

/// <summary>
/// Runs the HTTP request framer and decoder over bytes as a connection would, reads ending where the test says, and
/// describes the answer in one line: each request parsed (with its gathered body), then the error status if any.
/// </summary>
internal static class HttpParse
{
    public static readonly HttpLimits Limits = new() { MaxBody = 64 * 1024 };

    public static string Outcome(byte[] input, IEnumerable<int> cuts)
    {
        var framer = new HttpRequestFramer(Limits);
        var answer = new StringBuilder();
        var body = new List<byte>();
        var result = FramerDriver.Decode(framer, input, cuts, frame =>
        {
            switch (HttpRequestDecoder.Instance.Decode(framer, frame))
            {
                case HttpRequestHead head:
                    answer.Append(Describe(head));
                    if (!head.HasBody)
                    {
                        answer.Append(" body=[];");
                    }

                    break;
                case HttpBodyPart part:
                    body.AddRange(part.Data.ToArray());
                    if (part.IsLast)
                    {
                        answer.Append(" body=[").Append(Encoding.Latin1.GetString(body.ToArray())).Append("];");
                        body.Clear();
                    }

                    break;
            }
        });
        return result.Error switch
        {
            BadHttpRequestException bad => answer.Append(" error ").Append(bad.StatusCode).ToString(),
            { } other => answer.Append(" failure ").Append(other.GetType().Name).Append(": ").Append(other.Message).ToString(),
            _ => answer.ToString(),
        };
    }

    /// <summary>
    /// The splits each vector is tried under: one read, a byte per read, and every two-read split. Inputs of many KiB
    /// (the limit tests) skip the byte-per-read split, quadratic in its segments, and take every 97th two-read split.
    /// </summary>
    public static IEnumerable<(string Name, int[] Cuts)> Splits(int length)
    {
        var step = length > 2048 ? 97 : 1;
        return FramerDriver.Splits(length).Where((split, index) => index == 0 || (index == 1 && step == 1) || index % step == 0);
    }

    /// <summary>The outcome, checked to be the same under every split.</summary>
    public static string SameAtEverySplit(string request) => SameAtEverySplit(Encoding.Latin1.GetBytes(request));

    public static string SameAtEverySplit(byte[] input)
    {
        var whole = Outcome(input, []);
        foreach (var (name, cuts) in Splits(input.Length))
        {
            var outcome = Outcome(input, cuts);
            if (outcome != whole)
            {
                Assert.Fail($"Split \"{name}\" answers differently:\n  whole: {whole}\n  split: {outcome}");
            }
        }

        return whole;
    }

    private static string Describe(HttpRequestHead head)
    {
        var fields = string.Join("|", head.Headers.Select(h => $"{h.Key}:{h.Value}"));
        return $"{head.Method} {head.Target} 1.{head.MinorVersion} {head.BodyKind} keep-alive={head.KeepAlive} continue={head.ExpectsContinue} [{fields}]";
    }
}
