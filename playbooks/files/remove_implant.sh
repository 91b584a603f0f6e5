#!/bin/sh
# falconry remediation for {{name}} on {{hostname}}: stop the implant, delete its binary.
echo "stopping {{name}} (pid {{pid}})"
kill -9 {{pid}}
rm "{{path}}"
echo "removed {{path}}"
