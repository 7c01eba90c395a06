namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// One invocation a test client received: the client method name and its argument as text.
/// For <see cref="TestClient.PayloadMethod"/> the text is the raw JSON of the argument.
/// </summary>
public sealed record ReceivedMessage(string Method, string Text);
