namespace SocketKit.TestSupport;

/// <summary>Starts actions on dedicated threads that meet at a barrier, so they really start together.</summary>
public static class Race
{
    /// <summary>Runs each action <paramref name="rounds"/> times; in each round all actions start together.</summary>
    public static Task RunAsync(int rounds, params Action<int>[] actions)
    {
        var barrier = new Barrier(actions.Length);
        var racers = actions.Select(act => Start(barrier, rounds, act)).ToArray();
        return Task.WhenAll(racers).ContinueWith(t =>
        {
            barrier.Dispose();
            return t;
        }, TaskScheduler.Default).Unwrap();
    }

    private static Task Start(Barrier barrier, int rounds, Action<int> act)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                for (var i = 0; i < rounds; i++)
                {
                    barrier.SignalAndWait();
                    act(i);
                }

                done.SetResult();
            }
            catch (Exception e)
            {
                barrier.RemoveParticipant(); // let the others finish instead of waiting forever
                done.SetException(e);
            }
        })
        { IsBackground = true };
        thread.Start();
        return done.Task;
    }
}
