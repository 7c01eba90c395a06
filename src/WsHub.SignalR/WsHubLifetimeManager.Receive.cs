using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR;

public sealed partial class WsHubLifetimeManager<THub>
{
    private void OnAllChannelMessage(ChannelMessage channelMessage)
    {
        var envelope = TryReadEnvelope(channelMessage, skipOwn: true);
        switch (envelope?.Kind)
        {
            case null:
                return;
            case EnvelopeKind.Broadcast:
                WriteToMembers(_connections, new OutgoingMessage(envelope.Messages!), envelope.Targets);
                return;
            case EnvelopeKind.InstanceStarted:
                NotePeerStarted(envelope.Origin);
                return;
            default:
                DropInvalid(channelMessage, new EnvelopeFormatException($"A {envelope.Kind} envelope arrived on the all channel."));
                return;
        }
    }

    private void OnBroadcast(ChannelMessage channelMessage, HubConnectionStore members)
    {
        var envelope = TryReadEnvelope(channelMessage, skipOwn: true);
        if (envelope is null)
        {
            return;
        }

        if (envelope.Kind != EnvelopeKind.Broadcast)
        {
            DropInvalid(channelMessage, new EnvelopeFormatException($"A {envelope.Kind} envelope arrived on a broadcast channel."));
            return;
        }

        WriteToMembers(members, new OutgoingMessage(envelope.Messages!), envelope.Targets);
    }

    private void OnInstanceMessage(ChannelMessage channelMessage)
    {
        var envelope = TryReadEnvelope(channelMessage, skipOwn: false);
        if (envelope is null)
        {
            return;
        }

        try
        {
            switch (envelope.Kind)
            {
                case EnvelopeKind.Connections:
                    var message = new OutgoingMessage(envelope.Messages!);
                    foreach (var connectionId in envelope.Targets!)
                    {
                        if (_connections[connectionId] is { } connection)
                        {
                            WriteWithoutWaiting(connection, message);
                        }
                    }

                    break;
                case EnvelopeKind.Users:
                    var userMessage = new OutgoingMessage(envelope.Messages!);
                    foreach (var userId in envelope.Targets!)
                    {
                        if (_users.TryGetValue(userId, out var user))
                        {
                            WriteToMembers(user.Connections, userMessage, excludedConnectionIds: null);
                        }
                    }

                    break;
                case EnvelopeKind.GroupCommand:
                    _ = ApplyGroupCommandAsync(envelope);
                    break;
                case EnvelopeKind.GroupAck:
                    _acks.Acknowledge(envelope.CommandId);
                    break;
                case EnvelopeKind.Invocation:
                    StartForwardedInvocation(envelope);
                    break;
                case EnvelopeKind.InvocationResult:
                    CompleteForwardedResult(envelope);
                    break;
                case EnvelopeKind.InvocationCancel:
                    DropForwardedInvocation(envelope);
                    break;
                case EnvelopeKind.InvocationConnectionLost:
                    FailForwardedResult(envelope);
                    break;
                case EnvelopeKind.ResumeTakeover:
                    AbortForTakeover(envelope.ConnectionId!);
                    break;
                case EnvelopeKind.Probe:
                    CompleteProbe(envelope);
                    break;
                default:
                    DropInvalid(channelMessage, new EnvelopeFormatException($"A {envelope.Kind} envelope arrived on an instance channel."));
                    break;
            }
        }
        catch (Exception ex)
        {
            // An exception must never reach StackExchange.Redis, or the channel would stop delivering.
            WsHubLog.ReceiveFailed(_logger, channelMessage.Channel.ToString(), ex);
        }
    }

    private BackplaneEnvelope? TryReadEnvelope(ChannelMessage channelMessage, bool skipOwn)
    {
        ReadOnlyMemory<byte> payload = (byte[]?)channelMessage.Message ?? [];
        try
        {
            // An instance already delivered its own broadcasts locally, so the echo from Redis is skipped early.
            if (skipOwn && EnvelopeCodec.IsFromOrigin(payload, _instanceIdUtf8))
            {
                return null;
            }

            var envelope = EnvelopeCodec.Read(payload);
            _metrics.Received.Add(1);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                WsHubLog.Received(_logger, envelope.Kind, envelope.Origin, channelMessage.Channel.ToString());
            }

            return envelope;
        }
        catch (EnvelopeFormatException ex)
        {
            DropInvalid(channelMessage, ex);
            return null;
        }
    }

    private void DropInvalid(ChannelMessage channelMessage, Exception exception)
    {
        var count = Interlocked.Increment(ref _invalidEnvelopeCount);
        _metrics.AddDropped("invalid_envelope");

        // Log the first few and then every thousandth, so a flood of garbage cannot flood the log.
        if (count <= 10 || count % 1000 == 0)
        {
            var length = channelMessage.Message.IsNull ? 0 : (int)channelMessage.Message.Length();
            WsHubLog.InvalidEnvelopeDropped(_logger, channelMessage.Channel.ToString(), length, count, exception);
        }
    }
}
