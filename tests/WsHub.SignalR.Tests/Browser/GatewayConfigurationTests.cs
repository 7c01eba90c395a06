using FluentAssertions;
using SampleGateway;

namespace WsHub.SignalR.Tests.Browser;

/// <summary>
/// Checks how the gateway reads its list of SampleChat instances.
/// </summary>
public sealed class GatewayConfigurationTests
{
    [Fact]
    public void ParseInstances_CommaSeparatedList_ReturnsAddressesInOrder()
    {
        var instances = GatewayApp.ParseInstances(" http://127.0.0.1:5101 ,http://127.0.0.1:5102,");

        instances.Select(uri => uri.ToString()).Should().Equal("http://127.0.0.1:5101/", "http://127.0.0.1:5102/");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" , ")]
    public void ParseInstances_Missing_ThrowsWithHowToSetIt(string? value)
    {
        var parse = () => GatewayApp.ParseInstances(value);

        parse.Should().Throw<InvalidOperationException>().WithMessage("*--Instances http://127.0.0.1:5101,http://127.0.0.1:5102*");
    }

    [Theory]
    [InlineData("127.0.0.1:5101")]
    [InlineData("ftp://127.0.0.1:5101")]
    [InlineData("http://127.0.0.1:5101,/relative")]
    public void ParseInstances_InvalidAddress_ThrowsNamingIt(string value)
    {
        var parse = () => GatewayApp.ParseInstances(value);

        parse.Should().Throw<InvalidOperationException>().WithMessage("*is invalid*");
    }
}
