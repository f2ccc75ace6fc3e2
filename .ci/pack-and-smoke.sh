#!/usr/bin/env bash
# CI: pack the Attend library and the Attend.Cli tool into artifacts/packages, install the tool from that
# folder into a throw-away tool path, and prove the installed `attend` command runs (help, version, a short demo).
set -euo pipefail
cd "$(dirname "$0")/.."

packages="$PWD/artifacts/packages"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)"
if [ -z "$version" ]; then
  echo "error: no <Version> in Directory.Build.props" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== pack Attend and Attend.Cli $version into $packages"
rm -f "$packages"/Attend.*"$version".*nupkg
dotnet pack src/Attend -c Release -o "$packages"
dotnet pack src/Attend.Cli -c Release -o "$packages"
ls -l "$packages"

list_zip() {
  if command -v unzip >/dev/null 2>&1; then unzip -l "$1"; else python3 -m zipfile -l "$1"; fi
}

echo "== the library package carries no native assets"
list_zip "$packages/Attend.$version.nupkg"
if list_zip "$packages/Attend.$version.nupkg" | grep -E 'runtimes/|native/'; then
  echo "error: Attend.$version.nupkg contains native assets" >&2
  exit 1
fi

echo "== install Attend.Cli $version from $packages into $work/tools"
dotnet tool install Attend.Cli --tool-path "$work/tools" --add-source "$packages" --version "$version"
attend="$work/tools/attend"

echo "== attend --help"
"$attend" --help

echo "== attend --version"
printed="$("$attend" --version)"
echo "$printed"
if [ "$printed" != "$version" ]; then
  echo "error: attend --version printed '$printed', expected '$version'" >&2
  exit 1
fi

echo "== attend with an unknown verb prints help and fails"
set +e
"$attend" no-such-verb >"$work/unknown.out" 2>&1
status=$?
set -e
cat "$work/unknown.out"
if [ "$status" -eq 0 ] || ! grep -q "unknown verb" "$work/unknown.out"; then
  echo "error: attend no-such-verb exited $status without naming the unknown verb" >&2
  exit 1
fi

echo "== attend demo --quick through the installed tool"
"$attend" demo --quick --steps 60 --json --out "$work/demo"
ls -l "$work/demo"
echo "== attend serve --help"
"$attend" serve --help | tee "$work/serve-help.out"
grep -q -- "--max-batch" "$work/serve-help.out"

echo "== attend serve through the installed tool: the demo's model, the page and one translation"
"$attend" serve --model "demo=$work/demo/model" --urls http://127.0.0.1:0 --threads 1 >"$work/serve.out" 2>&1 &
serve_pid=$!
url=""
for _ in $(seq 1 120); do
  url="$(sed -n 's/^attend serve: listening on \(http[^ ]*\).*/\1/p' "$work/serve.out" | head -1)"
  [ -n "$url" ] && break
  sleep 0.5
done
if [ -z "$url" ]; then
  cat "$work/serve.out"; kill "$serve_pid" 2>/dev/null || true
  echo "error: attend serve did not start" >&2
  exit 1
fi
curl -sf "$url/" | grep -q "<title>Attend</title>"
curl -sf "$url/v1/translations" -H 'Content-Type: application/json' -d '{"model": "demo", "input": "Tuesday, 24 November 2026"}' | tee "$work/translation.json"
echo
grep -q '"object":"translation"' "$work/translation.json"
kill -TERM "$serve_pid"
wait "$serve_pid"
grep -q "attend serve: stopped" "$work/serve.out"
echo "== pack-and-smoke passed"
