using StackExchange.Redis;

namespace WsHub.SignalR;

/// <summary>
/// Settings of the WsHub backplane: how it reaches Redis, how it names its channels and keys,
/// and the timings of its registry.
/// </summary>
public sealed partial class WsHubOptions
{
    private string _channelPrefix = "wshub";
    private TimeSpan _heartbeatInterval = TimeSpan.FromSeconds(2);
    private TimeSpan _instanceTimeout = TimeSpan.FromSeconds(8);
    private TimeSpan _unsubscribeDelay = TimeSpan.FromSeconds(2);
    private TimeSpan _operationTimeout = TimeSpan.FromSeconds(5);
    private int _maxNameLength = 512;
    private int _maxMessageSize = 1024 * 1024;
    private int _drainBatchSize = 100;
    private TimeSpan _drainBatchInterval = TimeSpan.FromMilliseconds(200);
    private TimeSpan _drainTimeout = TimeSpan.FromSeconds(20);
    private int _outageBufferMaxMessages = 10_000;
    private long _outageBufferMaxBytes = 16 * 1024 * 1024;
    private TimeSpan _outageBufferMaxAge = TimeSpan.FromSeconds(30);
    private long _maxConnectionBacklogBytes = 4 * 1024 * 1024;

    /// <summary>
    /// StackExchange.Redis settings used when WsHub opens its own connection.
    /// Ignored when <see cref="ConnectionFactory"/> is set or <see cref="UseRegisteredMultiplexer"/> is true.
    /// TLS, AUTH and ACL user settings pass through unchanged.
    /// </summary>
    public ConfigurationOptions Configuration { get; set; } = new();

    /// <summary>
    /// A factory that opens the Redis connection, for callers that need full control of it.
    /// WsHub owns and disposes the multiplexer it returns. The text writer receives the connection log.
    /// </summary>
    public Func<TextWriter, Task<IConnectionMultiplexer>>? ConnectionFactory { get; set; }

    /// <summary>
    /// Uses the <see cref="IConnectionMultiplexer"/> registered in dependency injection instead of opening a connection.
    /// WsHub never disposes a multiplexer it did not create. Default: false.
    /// </summary>
    public bool UseRegisteredMultiplexer { get; set; }

    /// <summary>
    /// The prefix of every Redis channel and key that WsHub uses. Apps that share one Redis must use different
    /// prefixes. The prefix applies however the connection is made: a string, options, a factory or a shared
    /// multiplexer. Default: <c>wshub</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty, longer than 128 characters, or contains braces.</exception>
    public string ChannelPrefix
    {
        get => _channelPrefix;
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            if (value.Length > 128)
            {
                throw new ArgumentException("The channel prefix must be at most 128 characters long.", nameof(value));
            }

            // Braces would make Redis Cluster hash only part of the key.
            if (value.AsSpan().IndexOfAny('{', '}') >= 0)
            {
                throw new ArgumentException($"The channel prefix '{value}' must not contain '{{' or '}}'.", nameof(value));
            }

            _channelPrefix = value;
        }
    }

    /// <summary>
    /// How often an instance refreshes its heartbeat in Redis and checks for dead instances. Default: 2 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan HeartbeatInterval
    {
        get => _heartbeatInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _heartbeatInterval = value;
        }
    }

    /// <summary>
    /// How long an instance may stay silent before the others count it as dead and remove its connections,
    /// users and group memberships from the registry. Must be at least twice <see cref="HeartbeatInterval"/>.
    /// Default: 8 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan InstanceTimeout
    {
        get => _instanceTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _instanceTimeout = value;
        }
    }

    /// <summary>
    /// How long an instance keeps a group's channel subscribed after its last local member left, so that
    /// join and leave churn does not reach Redis. Zero unsubscribes at once. Default: 2 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan UnsubscribeDelay
    {
        get => _unsubscribeDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _unsubscribeDelay = value;
        }
    }

    /// <summary>
    /// The maximum time a hub call waits on Redis or on another instance: a registry lookup, a remote group change
    /// and its acknowledgement. Past it the call fails with a <see cref="TimeoutException"/>. Default: 5 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan OperationTimeout
    {
        get => _operationTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _operationTimeout = value;
        }
    }

    /// <summary>
    /// The maximum length, in characters, of a group name, user id or connection id. Longer names are rejected
    /// with an <see cref="ArgumentException"/>. Default: 512.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxNameLength
    {
        get => _maxNameLength;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxNameLength = value;
        }
    }

    /// <summary>
    /// The maximum size, in bytes, of one serialised hub message in any protocol. A larger message is rejected
    /// with an <see cref="InvalidOperationException"/> before anything is sent. Default: 1 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxMessageSize
    {
        get => _maxMessageSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxMessageSize = value;
        }
    }

    /// <summary>
    /// How many connections a stopping instance closes at a time, telling each client to reconnect, so that clients
    /// land on other instances without a reconnect storm. Default: 100.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int DrainBatchSize
    {
        get => _drainBatchSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _drainBatchSize = value;
        }
    }

    /// <summary>
    /// The pause between two batches of <see cref="DrainBatchSize"/> connections while an instance drains.
    /// The defaults close about 500 connections a second. Default: 200 milliseconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan DrainBatchInterval
    {
        get => _drainBatchInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _drainBatchInterval = value;
        }
    }

    /// <summary>
    /// The maximum time a stopping instance spends draining before it leaves the cluster with whatever connections
    /// remain. Keep it below the host's shutdown timeout (30 seconds by default). Default: 20 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan DrainTimeout
    {
        get => _drainTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _drainTimeout = value;
        }
    }

    /// <summary>
    /// The maximum number of messages for other instances that an instance keeps while Redis is unreachable.
    /// Past it, a send throws <see cref="InvalidOperationException"/>. Default: 10000.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int OutageBufferMaxMessages
    {
        get => _outageBufferMaxMessages;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _outageBufferMaxMessages = value;
        }
    }

    /// <summary>
    /// The maximum size, in bytes, of the messages for other instances that an instance keeps while Redis is
    /// unreachable. Past it, a send throws <see cref="InvalidOperationException"/>. Default: 16 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long OutageBufferMaxBytes
    {
        get => _outageBufferMaxBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _outageBufferMaxBytes = value;
        }
    }

    /// <summary>
    /// How long a message for other instances may wait in the outage buffer. Older messages are dropped, counted and
    /// logged when Redis comes back, because the sender has moved on. Default: 30 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan OutageBufferMaxAge
    {
        get => _outageBufferMaxAge;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _outageBufferMaxAge = value;
        }
    }

    /// <summary>
    /// The maximum number of bytes that may wait to be written to one connection. A connection past it has stopped
    /// reading, so it is aborted, logged and counted, and its client can reconnect. The bound must leave room for the
    /// bursts a reading client gets, such as many large group messages at once. Default: 4 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public long MaxConnectionBacklogBytes
    {
        get => _maxConnectionBacklogBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxConnectionBacklogBytes = value;
        }
    }
}
