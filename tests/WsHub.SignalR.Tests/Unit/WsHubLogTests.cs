using System.Reflection;
using FluentAssertions;
using Microsoft.Extensions.Logging;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR.Tests.Unit;

public class WsHubLogTests
{
    private static readonly LoggerMessageAttribute[] Attributes = typeof(WsHubLog)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Select(method => method.GetCustomAttribute<LoggerMessageAttribute>())
        .OfType<LoggerMessageAttribute>()
        .ToArray();

    [Fact]
    public void EventIds_AreUnique()
    {
        Attributes.Should().NotBeEmpty();
        Attributes.Select(attribute => attribute.EventId).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void EventNames_AreUnique()
    {
        Attributes.Select(attribute => attribute.EventName).Should().OnlyHaveUniqueItems();
        Attributes.Should().OnlyContain(attribute => !string.IsNullOrEmpty(attribute.EventName));
    }
}
