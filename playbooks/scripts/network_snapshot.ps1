# Captures the host's TCP connections with their owning process, for a timeline.
Write-Output "== TCP connections"
Get-NetTCPConnection | Select-Object LocalAddress, LocalPort, RemoteAddress, RemotePort, State, OwningProcess
