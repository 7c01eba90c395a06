using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// A throwaway certificate authority and a server certificate it issued for 127.0.0.1, written as PEM files to a new
/// temporary directory, for a <c>redis-server</c> that accepts TLS. Disposing deletes the files.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly string _directory;

    private TestCertificateAuthority(string directory)
    {
        _directory = directory;
    }

    /// <summary>The PEM file of the authority's certificate, which clients trust.</summary>
    public string AuthorityCertificatePath => Path.Combine(_directory, "ca.crt");

    /// <summary>The PEM file of the server certificate, valid for the IP address 127.0.0.1.</summary>
    public string ServerCertificatePath => Path.Combine(_directory, "server.crt");

    /// <summary>The PEM file of the server certificate's private key.</summary>
    public string ServerKeyPath => Path.Combine(_directory, "server.key");

    /// <summary>Creates the authority and the server certificate, valid from a day ago to a day from now.</summary>
    public static TestCertificateAuthority Create()
    {
        var authority = new TestCertificateAuthority(Directory.CreateTempSubdirectory("wshub-tls-").FullName);
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);

        using var authorityKey = RSA.Create(2048);
        var authorityRequest = new CertificateRequest("CN=WsHub test authority", authorityKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var authorityCertificate = authorityRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var alternativeNames = new SubjectAlternativeNameBuilder();
        alternativeNames.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(alternativeNames.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var serverCertificate = serverRequest.Create(authorityCertificate, notBefore, notAfter, RandomNumberGenerator.GetBytes(8));

        File.WriteAllText(authority.AuthorityCertificatePath, authorityCertificate.ExportCertificatePem());
        File.WriteAllText(authority.ServerCertificatePath, serverCertificate.ExportCertificatePem());
        File.WriteAllText(authority.ServerKeyPath, serverKey.ExportPkcs8PrivateKeyPem());
        return authority;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory does not affect other tests.
        }
    }
}
