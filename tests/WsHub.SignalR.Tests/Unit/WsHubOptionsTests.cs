using FluentAssertions;
using StackExchange.Redis;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR.Tests.Unit;

public class WsHubOptionsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("a{b")]
    [InlineData("a}b")]
    public void ChannelPrefix_InvalidValue_Throws(string prefix)
    {
        var options = new WsHubOptions();

        var set = () => options.ChannelPrefix = prefix;

        set.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void ChannelPrefix_TooLong_Throws()
    {
        var set = () => new WsHubOptions().ChannelPrefix = new string('p', 129);

        set.Should().Throw<ArgumentException>().WithMessage("*128*");
    }

    [Fact]
    public void Timings_NotPositive_Throw()
    {
        var options = new WsHubOptions();

        ((Action)(() => options.HeartbeatInterval = TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.InstanceTimeout = TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.OperationTimeout = TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.UnsubscribeDelay = TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.MaxNameLength = 0)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.MaxMessageSize = 0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Validator_NoEndpoint_NamesTheSetting()
    {
        var result = new WsHubOptionsValidator().Validate(null, new WsHubOptions());

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("WsHubOptions.Configuration");
    }

    [Fact]
    public void Validator_ShortInstanceTimeout_NamesBothSettings()
    {
        var options = new WsHubOptions
        {
            Configuration = ConfigurationOptions.Parse("127.0.0.1:6379"),
            HeartbeatInterval = TimeSpan.FromSeconds(5),
            InstanceTimeout = TimeSpan.FromSeconds(6),
        };

        var result = new WsHubOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("InstanceTimeout").And.Contain("HeartbeatInterval");
    }

    [Fact]
    public void Validator_FactoryAndSharedMultiplexer_Rejected()
    {
        var options = new WsHubOptions
        {
            ConnectionFactory = _ => throw new InvalidOperationException("not called"),
            UseRegisteredMultiplexer = true,
        };

        var result = new WsHubOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("Choose one");
    }

    [Fact]
    public void Validator_Defaults_WithEndpoint_Succeed()
    {
        var options = new WsHubOptions { Configuration = ConfigurationOptions.Parse("127.0.0.1:6379") };

        new WsHubOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
    }
}
