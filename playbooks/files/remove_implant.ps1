# falconry remediation for {{name}} on {{hostname}}: stop the implant, delete its binary.
Write-Output "stopping {{name}} (pid {{pid}})"
Stop-Process -Id {{pid}} -Force
Remove-Item "{{path}}"
Write-Output "removed {{path}}"
