#!/bin/sh
# Lists cron jobs of every user and the system cron folders on a Linux or Mac host.
echo "== /etc/crontab and /etc/cron.d"
cat /etc/crontab /etc/cron.d/* 2>/dev/null
echo "== user crontabs"
for u in $(cut -d: -f1 /etc/passwd); do crontab -l -u "$u" 2>/dev/null; done
