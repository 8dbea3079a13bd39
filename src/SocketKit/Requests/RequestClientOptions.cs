namespace SocketKit.Requests;

/// <summary>Settings of a <see cref="RequestClient{TRequest, TResponse}"/>.</summary>
public sealed class RequestClientOptions
{
    /// <summary>How long a request may wait for its response before it fails with <see cref="TimeoutException"/>. Defaults to 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most requests in flight at once; a further <c>SendAsync</c> waits for one to finish. Defaults to 1 000.</summary>
    public int MaxOutstanding { get; set; } = 1_000;

    /// <summary>Checks the options, throwing an exception that names the first bad one.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(Timeout)} must be positive or Timeout.InfiniteTimeSpan.", nameof(Timeout));
        }

        if (MaxOutstanding <= 0)
        {
            throw new ArgumentException($"{nameof(MaxOutstanding)} must be positive.", nameof(MaxOutstanding));
        }
    }
}
