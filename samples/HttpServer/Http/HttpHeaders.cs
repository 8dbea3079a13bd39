namespace HttpServer.Http;

/// <summary>Header fields in the order received; names compare case-insensitively.</summary>
public sealed class HttpHeaders : List<KeyValuePair<string, string>>
{
    /// <summary>The value of the first field named <paramref name="name"/>, or <see langword="null"/>.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var (key, value) in this)
            {
                if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return value;
                }
            }

            return null;
        }
    }

    /// <summary>Whether a field named <paramref name="name"/> lists <paramref name="token"/> (comma-separated, case-insensitive), e.g. "Connection: keep-alive, Upgrade".</summary>
    public bool HasToken(string name, string token)
    {
        foreach (var (key, value) in this)
        {
            if (!key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var item in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (item.Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
