using Microsoft.AspNetCore.SignalR;

namespace WsHub.SignalR;

public sealed partial class WsHubOptions
{
    /// <summary>The query string parameter that the default <see cref="ResumeKeySelector"/> reads.</summary>
    public const string ResumeQueryParameter = "resume";

    private int _historyMaxLength = 1000;
    private TimeSpan _historyMaxAge = TimeSpan.FromMinutes(5);
    private Func<HubConnectionContext, string?> _resumeKeySelector = ReadResumeQueryParameter;

    /// <summary>
    /// Selects the groups that keep a message history in Redis, so that a client that reconnects with the same
    /// resume key gets the messages it missed. Null, the default, means no group keeps history, and groups without
    /// history cost nothing extra. The function must be fast and return the same result for a name on every instance.
    /// </summary>
    public Func<string, bool>? HistoryGroupFilter { get; set; }

    /// <summary>
    /// The approximate maximum number of messages a history group keeps. Redis trims whole stream nodes, so a
    /// stream may hold up to about 100 entries more. Default: 1000.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int HistoryMaxLength
    {
        get => _historyMaxLength;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _historyMaxLength = value;
        }
    }

    /// <summary>
    /// How long a history message stays readable, and how long a history group's stream lives after its last
    /// message. A disconnected connection's resume positions live twice as long, so that a client that comes back
    /// late learns that recovery failed. Default: 5 minutes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1 millisecond.</exception>
    public TimeSpan HistoryMaxAge
    {
        get => _historyMaxAge;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromMilliseconds(1));
            _historyMaxAge = value;
        }
    }

    /// <summary>
    /// Reads the resume key of a connection: a value the client keeps across reconnects, so that a new connection
    /// can continue where an old one stopped. Return null for a connection without one. Keys longer than
    /// <see cref="MaxNameLength"/> are ignored. The default reads the query string parameter <c>resume</c>.
    /// Each client must use its own key, because a key is a position in every history group.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public Func<HubConnectionContext, string?> ResumeKeySelector
    {
        get => _resumeKeySelector;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _resumeKeySelector = value;
        }
    }

    private static string? ReadResumeQueryParameter(HubConnectionContext connection)
    {
        var query = connection.GetHttpContext()?.Request.Query;
        if (query is null || !query.TryGetValue(ResumeQueryParameter, out var values))
        {
            return null;
        }

        var key = values.ToString();
        return key.Length == 0 ? null : key;
    }
}
