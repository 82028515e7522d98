#!/usr/bin/env bash
# The GitHub Action's run step (action.yml): lints the inputs' paths with kvet,
# prints the findings as workflow commands (annotations on the pull request),
# writes SARIF when asked, appends a Markdown summary to the job's summary and
# exits with kvet's exit code (0 clean, 1 findings at or above fail-on,
# 2 usage error or an unreadable input).
#
# Environment, as action.yml's step sets it (cmd/kvet/action_test.go reads
# action.yml and sets the same):
#   KVET                the kvet binary (the action's build step writes it)
#   INPUT_PATHS         files and folders, separated by spaces or newlines
#   INPUT_CONFIG        configuration file; --config only when not empty
#   INPUT_KUBE_VERSION  --kube-version when not empty
#   INPUT_FAIL_ON       --fail-on (error, warning or info)
#   INPUT_SARIF_FILE    when not empty, SARIF is written to this file too
#   INPUT_BASELINE      --baseline when not empty
#   INPUT_NEW_FROM_REV  --new-from-rev when not empty; pr-base is the pull
#                       request's base commit (GITHUB_EVENT_PATH's
#                       pull_request.base.sha, else origin/GITHUB_BASE_REF)
# and, from the runner, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and RUNNER_TEMP
# (and GITHUB_EVENT_PATH, GITHUB_BASE_REF for pr-base).
# The summary needs jq (on every GitHub-hosted runner).
set -uo pipefail

kvet=${KVET:-${RUNNER_TEMP:-/tmp}/kvet}
fail_on=${INPUT_FAIL_ON:-error}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
outputs=${GITHUB_OUTPUT:-/dev/null}

# Paths are split on whitespace and never globbed: kvet walks folders itself.
set -f
# shellcheck disable=SC2206 # word splitting is the point
paths=(${INPUT_PATHS:-.})
set +f
[ ${#paths[@]} -gt 0 ] || paths=(.)

flags=(--no-color --fail-on "$fail_on")
[ -z "${INPUT_CONFIG:-}" ] || flags+=(--config "$INPUT_CONFIG")
[ -z "${INPUT_KUBE_VERSION:-}" ] || flags+=(--kube-version "$INPUT_KUBE_VERSION")
[ -z "${INPUT_BASELINE:-}" ] || flags+=(--baseline "$INPUT_BASELINE")
rev=${INPUT_NEW_FROM_REV:-}
if [ "$rev" = pr-base ]; then
  rev=
  if [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ] && command -v jq >/dev/null; then
    rev=$(jq -r '.pull_request.base.sha // empty' "$GITHUB_EVENT_PATH" 2>/dev/null)
  fi
  if [ -z "$rev" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
    rev=origin/$GITHUB_BASE_REF
  fi
  if [ -z "$rev" ]; then
    echo "::notice title=kvet::new-from-rev is pr-base, but this run is not for a pull request: every finding is reported"
  fi
fi
[ -z "$rev" ] || flags+=(--new-from-rev "$rev")

tmp=$(mktemp -d "${RUNNER_TEMP:-/tmp}/kvet-action.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# 1. Annotations: kvet's github format, straight to the log. Its exit code is
#    the action's.
"$kvet" lint "${flags[@]}" -o github -- "${paths[@]}"
code=$?

# 2. SARIF for code scanning (github/codeql-action/upload-sarif).
case "${INPUT_SARIF_FILE:-}" in
*$'\n'* | *$'\r'*)
  # One line only: a line break would add lines of its own to GITHUB_OUTPUT.
  echo "::error title=kvet::the sarif-file input must be a single path, without line breaks"
  exit 2
  ;;
esac
if [ -n "${INPUT_SARIF_FILE:-}" ]; then
  mkdir -p "$(dirname "$INPUT_SARIF_FILE")"
  "$kvet" lint "${flags[@]}" -o sarif -- "${paths[@]}" >"$INPUT_SARIF_FILE" 2>/dev/null
  if [ -s "$INPUT_SARIF_FILE" ]; then
    echo "sarif-file=$INPUT_SARIF_FILE" >>"$outputs"
  else
    rm -f "$INPUT_SARIF_FILE" # kvet stopped before checking anything (exit 2)
  fi
fi

echo "exit-code=$code" >>"$outputs"

# 3. The job summary, from the JSON output.
"$kvet" lint "${flags[@]}" -o json -- "${paths[@]}" >"$tmp/kvet.json" 2>/dev/null
if ! command -v jq >/dev/null; then
  printf '## kvet\n\nkvet exited %s; install jq for a summary of the findings (see the log).\n' "$code" >>"$summary"
  exit "$code"
fi
# (slurped: an empty file is [], not "no result", which jq -e lets pass)
if ! jq -se 'length == 1 and (.[0] | .summary and .findings)' "$tmp/kvet.json" >/dev/null 2>&1; then
  printf '## kvet\n\n:x: kvet could not check the manifests (exit %s): see the log.\n' "$code" >>"$summary"
  exit "$code"
fi

jq -r '"errors=\(.summary.errors)", "warnings=\(.summary.warnings)", "infos=\(.summary.infos)"' \
  "$tmp/kvet.json" >>"$outputs"

jq -r --arg code "$code" --arg failon "$fail_on" '
  def rank: {"error": 0, "warning": 1, "info": 2}[.] // 3;
  # Text from the manifests (file names, messages, rule ids of your own
  # policies) must not turn into Markdown: links, images, HTML, or a way out
  # of a code span or a table cell. md escapes every character Markdown
  # acts on; code makes a code span whose fence is longer than any run of
  # backticks inside it. Control characters become spaces in both.
  def md: tostring | gsub("[\u0000-\u001f\u007f]+"; " ") | gsub("(?<c>[\\\\`*_\\[\\]<>!|&~])"; "\\\(.c)");
  def code: tostring | gsub("[\u0000-\u001f\u007f]+"; " ") | gsub("\\|"; "\\|")
    | ([scan("`+") | length] | max // 0) as $n | ("`" * ($n + 1)) as $f
    | if $n > 0 then "\($f) \(.) \($f)" else "\($f)\(.)\($f)" end;
  def plural($n; $word): "\($n) \($word)\(if $n == 1 then "" else "s" end)";
  .summary as $s | .findings as $f |
  "## kvet",
  "",
  (if $code == "0" then ":white_check_mark: No findings at or above \($failon | code)."
   elif $code == "1" then ":x: Findings at or above \($failon | code)."
   else ":x: kvet exited \($code): some inputs could not be read or the flags are wrong (see the log)." end),
  "",
  "\(plural($s.files; "file")), \(plural($s.objects; "object")): **\(plural($s.errors; "error"))**, \(plural($s.warnings; "warning")), \($s.infos) info.",
  (if ($f | length) == 0 then empty else
    "",
    "| severity | findings |",
    "|---|---:|",
    "| error | \($s.errors) |",
    "| warning | \($s.warnings) |",
    "| info | \($s.infos) |",
    "",
    "### Findings by rule",
    "",
    "| rule | severity | findings |",
    "|---|---|---:|",
    ($f | group_by([.rule, .severity])
        | map({rule: .[0].rule, severity: .[0].severity, n: length})
        | sort_by([(.severity | rank), -.n, .rule])
        | .[] | "| \(.rule | code) | \(.severity) | \(.n) |"),
    "",
    "### Top findings",
    "",
    "| severity | location | rule | message |",
    "|---|---|---|---|",
    ($f | to_entries | sort_by([(.value.severity | rank), .key]) | .[:20]
        | .[].value | "| \(.severity) | \("\(.file):\(.line)" | code) | \(.rule | code) | \(.message | md) |"),
    (if ($f | length) > 20 then "", "The first 20 of \($f | length) findings, the most severe first; the log has them all." else empty end)
  end),
  ""
' "$tmp/kvet.json" >>"$summary"

exit "$code"
