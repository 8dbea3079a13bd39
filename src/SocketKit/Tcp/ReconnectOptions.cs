namespace SocketKit.Tcp;

/// <summary>How a <see cref="ReconnectingClient{TIn, TOut}"/> retries: exponential backoff with jitter, a cap and an optional limit.</summary>
public sealed class ReconnectOptions
{
    /// <summary>The wait before the first retry. Defaults to 100 ms.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between attempts. Defaults to 30 seconds.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How much each wait grows over the one before. Defaults to 2.</summary>
    public double Multiplier { get; set; } = 2;

    /// <summary>Random spread of each wait, as a fraction (0.2: ±20 %), so many clients do not retry in step. Defaults to 0.2.</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>A seed for the jitter, for reproducible waits (tests); <see langword="null"/> for a random one.</summary>
    public int? JitterSeed { get; set; }

    /// <summary>Attempts in a row before giving up (the client then stops); <see langword="null"/> retries forever. Defaults to <see langword="null"/>.</summary>
    public int? MaxAttempts { get; set; }

    /// <summary>What <c>SendAsync</c> does while disconnected. Defaults to <see cref="DisconnectedSendPolicy.Wait"/>.</summary>
    public DisconnectedSendPolicy WhileDisconnected { get; set; } = DisconnectedSendPolicy.Wait;

    /// <summary>Under <see cref="DisconnectedSendPolicy.Wait"/>, the longest a send waits for a connection before it fails. Defaults to 10 seconds.</summary>
    public TimeSpan SendWaitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks the options, throwing an exception that names the first bad one.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (InitialDelay < TimeSpan.Zero || MaxDelay < InitialDelay)
        {
            throw new ArgumentException($"{nameof(InitialDelay)} must be at least zero and at most {nameof(MaxDelay)}.", nameof(InitialDelay));
        }

        if (Multiplier < 1)
        {
            throw new ArgumentException($"{nameof(Multiplier)} must be at least 1.", nameof(Multiplier));
        }

        if (Jitter is < 0 or >= 1)
        {
            throw new ArgumentException($"{nameof(Jitter)} must be in [0, 1).", nameof(Jitter));
        }

        if (MaxAttempts is <= 0)
        {
            throw new ArgumentException($"{nameof(MaxAttempts)} must be positive, or null for no limit.", nameof(MaxAttempts));
        }

        if (SendWaitTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(SendWaitTimeout)} must be positive.", nameof(SendWaitTimeout));
        }
    }

    /// <summary>The wait before attempt <paramref name="attempt"/> (1-based), before jitter.</summary>
    internal TimeSpan BaseDelay(int attempt)
    {
        var ticks = InitialDelay.Ticks * Math.Pow(Multiplier, attempt - 1);
        return TimeSpan.FromTicks((long)Math.Min(ticks, MaxDelay.Ticks));
    }
}
