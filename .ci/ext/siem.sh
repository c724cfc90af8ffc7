# SIEM sink tests (issue 7) need a real syslog receiver: rsyslog with its TLS (gnutls) module.
# The tests start their own rsyslogd on a free loopback port with a generated configuration.
if ! command -v rsyslogd >/dev/null 2>&1 && [ ! -x /usr/sbin/rsyslogd ] \
  || ! ls /usr/lib/*/rsyslog/lmnsd_gtls.so >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q rsyslog rsyslog-gnutls
fi
PHIWALL_RSYSLOGD="$(command -v rsyslogd || echo /usr/sbin/rsyslogd)"
if [ ! -x "$PHIWALL_RSYSLOGD" ]; then
  echo "siem: rsyslogd is not installed (apt-get install rsyslog rsyslog-gnutls)" >&2
  return 1
fi
export PHIWALL_RSYSLOGD
"$PHIWALL_RSYSLOGD" -v | sed -n 1p
