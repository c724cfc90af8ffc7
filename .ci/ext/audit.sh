# Headless Chromium for the audit report's HTML render test
# (crates/phiwall-audit/tests/html_render.rs). Sourced by .ci/run.
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian package) for the HTML report test"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
fi
PHIWALL_CHROMIUM="$(command -v chromium)"
export PHIWALL_CHROMIUM
"$PHIWALL_CHROMIUM" --version
