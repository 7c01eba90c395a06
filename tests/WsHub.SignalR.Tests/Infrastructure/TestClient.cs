using System.Text.Json;
using System.Threading.Channels;
using FluentAssertions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// A real SignalR .NET client on WebSockets that records the messages it receives and returns results for the
/// client-result methods that <see cref="TestHub"/> and the tests invoke.
/// </summary>
public sealed class TestClient : IAsyncDisposable
{
    /// <summary>A client method that returns its integer argument plus one.</summary>
    public const string AddOneMethod = "AddOne";

    /// <summary>A client method that returns a string, to test a result of the wrong type.</summary>
    public const string GetTextMethod = "GetText";

    /// <summary>A client method that throws an exception with the message <see cref="ClientErrorText"/>.</summary>
    public const string ThrowMethod = "Throw";

    /// <summary>A client method that does not return until <see cref="ReleaseBlocked"/> or disposal.</summary>
    public const string BlockMethod = "Block";

    /// <summary>A client method that receives one object, recorded as its raw JSON. Registered for JSON clients only.</summary>
    public const string PayloadMethod = "Payload";

    /// <summary>The message of the exception that <see cref="ThrowMethod"/> throws.</summary>
    public const string ClientErrorText = "The test client failed on purpose.";

    private readonly Channel<ReceivedMessage> _messages = Channel.CreateUnbounded<ReceivedMessage>();
    private readonly TaskCompletionSource _blockEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _blockRelease = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestClient(HubConnection connection, ClientProtocol protocol, string? userId)
    {
        Connection = connection;
        Protocol = protocol;
        UserId = userId;
    }

    /// <summary>The underlying SignalR connection.</summary>
    public HubConnection Connection { get; }

    /// <summary>The protocol the client speaks.</summary>
    public ClientProtocol Protocol { get; }

    /// <summary>The user id the client connected as, or null.</summary>
    public string? UserId { get; }

    /// <summary>The connection id the server assigned; it stays readable after the client stops.</summary>
    public string ConnectionId { get; private set; } = string.Empty;

    /// <summary>Completes when a <see cref="BlockMethod"/> invocation has reached the client.</summary>
    public Task BlockEntered => _blockEntered.Task;

    /// <summary>
    /// Connects a client to a hub over WebSockets.
    /// </summary>
    /// <param name="hubUrl">The absolute hub URL.</param>
    /// <param name="protocol">The hub protocol to speak.</param>
    /// <param name="userId">The user id, sent in the query string for <see cref="QueryStringUserIdProvider"/>; null for none.</param>
    public static async Task<TestClient> ConnectAsync(Uri hubUrl, ClientProtocol protocol = ClientProtocol.Json, string? userId = null)
    {
        ArgumentNullException.ThrowIfNull(hubUrl);

        var url = userId is null
            ? hubUrl
            : new Uri(hubUrl + "?" + QueryStringUserIdProvider.ParameterName + "=" + Uri.EscapeDataString(userId));
        var builder = new HubConnectionBuilder().WithUrl(url, options =>
        {
            options.Transports = HttpTransportType.WebSockets;
        });
        if (protocol == ClientProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }

        var connection = builder.Build();
        var client = new TestClient(connection, protocol, userId);
        client.RegisterHandlers();
        await connection.StartAsync().WaitAsync(TestTimeouts.Default);

        // SignalR completes the handshake before the server runs HubLifetimeManager.OnConnectedAsync, but runs hub
        // methods only after it. A round trip through a hub method therefore waits until the backplane has registered
        // the connection, so a test never sends to a connection the registry does not list yet.
        client.ConnectionId = await connection.InvokeAsync<string>(nameof(TestHub.GetConnectionId)).WaitAsync(TestTimeouts.Default);
        return client;
    }

    /// <summary>
    /// Reads the next received message, failing the test if none arrives within the timeout.
    /// </summary>
    public async Task<ReceivedMessage> ReadAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        try
        {
            return await _messages.Reader.ReadAsync().AsTask().WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException(
                $"Client {ConnectionId} (user {UserId ?? "none"}, {Protocol}) received no message within {limit.TotalSeconds} s.");
        }
    }

    /// <summary>
    /// Reads the next message and checks that it is a <see cref="TestHub.MessageMethod"/> call with the given text.
    /// </summary>
    public async Task ExpectMessageAsync(string text, TimeSpan? timeout = null)
    {
        var message = await ReadAsync(timeout);
        message.Should().Be(new ReceivedMessage(TestHub.MessageMethod, text), "client {0} expected the message '{1}'", ConnectionId, text);
    }

    /// <summary>
    /// Returns the next message if one has already arrived.
    /// </summary>
    public bool TryRead(out ReceivedMessage? message) => _messages.Reader.TryRead(out message);

    /// <summary>
    /// Returns the messages that have arrived so far, without waiting.
    /// </summary>
    public IReadOnlyList<ReceivedMessage> DrainReceived()
    {
        var result = new List<ReceivedMessage>();
        while (_messages.Reader.TryRead(out var message))
        {
            result.Add(message);
        }

        return result;
    }

    /// <summary>
    /// Checks that the client received nothing before <paramref name="markerText"/>, which the caller sends after the
    /// messages that must not arrive, and nothing during a short quiet period after it.
    /// </summary>
    /// <remarks>
    /// The marker shows that the sends before it have been processed. Because the backplane may deliver on different
    /// Redis channels in any order, the quiet period catches a late unwanted message as well.
    /// </remarks>
    public async Task ExpectOnlyMarkerAsync(string markerText)
    {
        var first = await ReadAsync();
        var expected = new ReceivedMessage(TestHub.MessageMethod, markerText);
        first.Should().Be(expected, "client {0} must receive nothing before the marker", ConnectionId);
        await ExpectNothingAsync();
    }

    /// <summary>
    /// Checks that no further message arrives within <see cref="TestTimeouts.Quiet"/>.
    /// </summary>
    public async Task ExpectNothingAsync()
    {
        using var quiet = new CancellationTokenSource(TestTimeouts.Quiet);
        try
        {
            var unexpected = await _messages.Reader.ReadAsync(quiet.Token);
            throw new Xunit.Sdk.XunitException($"Client {ConnectionId} received an unexpected message: {unexpected}.");
        }
        catch (OperationCanceledException) when (quiet.IsCancellationRequested)
        {
            // Nothing arrived, as expected.
        }
    }

    /// <summary>
    /// Lets a pending <see cref="BlockMethod"/> invocation return the given value.
    /// </summary>
    public void ReleaseBlocked(int value) => _blockRelease.TrySetResult(value);

    /// <summary>
    /// Stops the connection and releases any blocked invocation.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _blockRelease.TrySetCanceled();
        try
        {
            await Connection.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        }
        catch (TimeoutException)
        {
            // A server that was stopped abruptly may never reply to the close; the test result does not depend on it.
        }
    }

    private void RegisterHandlers()
    {
        Connection.On<string>(TestHub.MessageMethod, text => Record(TestHub.MessageMethod, text));
        Connection.On<int, int>(AddOneMethod, value => value + 1);
        Connection.On(GetTextMethod, () => "not a number");
        Connection.On<int>(ThrowMethod, ThrowClientError);
        Connection.On<int>(BlockMethod, WaitForReleaseAsync);
        if (Protocol == ClientProtocol.Json)
        {
            Connection.On<JsonElement>(PayloadMethod, payload => Record(PayloadMethod, payload.GetRawText()));
        }
    }

    private static int ThrowClientError() => throw new InvalidOperationException(ClientErrorText);

    private Task<int> WaitForReleaseAsync()
    {
        _blockEntered.TrySetResult();
        return _blockRelease.Task;
    }

    private void Record(string method, string text) => _messages.Writer.TryWrite(new ReceivedMessage(method, text));
}
