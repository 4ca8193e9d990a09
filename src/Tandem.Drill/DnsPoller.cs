using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Tandem.Drill;

/// <summary>Asks the name server for the watched name's A record every 250 ms and keeps each answer.</summary>
public sealed class DnsPoller
{
    private readonly DnsWatch _watch;
    private readonly Func<double> _now;
    private readonly List<DnsObservation> _observations = [];
    private readonly Lock _lock = new();

    public DnsPoller(DnsWatch watch, Func<double> now)
    {
        _watch = watch;
        _now = now;
    }

    public List<DnsObservation> Observations()
    {
        lock (_lock)
        {
            return [.. _observations];
        }
    }

    /// <summary>Polls until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var client = new DnsClient([IPAddress.Parse(_watch.Server)], [new UdpClientTransport(_watch.Port)], disposeTransport: true, queryTimeout: 1000);
        var name = DomainName.Parse(_watch.Name);
        while (!cancellationToken.IsCancellationRequested)
        {
            var at = _now();
            string answer;
            try
            {
                var response = await client.ResolveAsync(name, RecordType.A, RecordClass.INet, null, cancellationToken);
                answer = response is null
                    ? "no answer"
                    : response.ReturnCode != ReturnCode.NoError
                        ? response.ReturnCode.ToString()
                        : string.Join(", ", response.AnswerRecords.OfType<ARecord>().Select(a => a.Address.ToString()).Order(StringComparer.Ordinal));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or TimeoutException)
            {
                answer = "no answer";
            }

            lock (_lock)
            {
                _observations.Add(new DnsObservation(at, answer.Length == 0 ? "empty" : answer));
            }

            try
            {
                await Task.Delay(250, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
