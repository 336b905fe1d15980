#!/usr/bin/env bash
# House rules, checked in CI (npm test runs this after typecheck and lint):
# formatting, small source files, pure lib/, a repository that runs on its own,
# and no code written twice in src/. Each failure says what and where.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
fail() { echo "house rules: $1" >&2; failed=1; }

# 1. Formatting.
if ! npx --no-install prettier --check . >/tmp/bumpflow-prettier.$$ 2>&1; then
  fail "files differ from prettier's format (run: npx prettier --write .):"
  grep -v '^Checking' /tmp/bumpflow-prettier.$$ | sed 's/^/    /' >&2
fi
rm -f /tmp/bumpflow-prettier.$$

# 2. No source file over 300 lines.
max_lines=300
while read -r n f; do
  [ "$f" = total ] && continue
  [ "$n" -gt "$max_lines" ] && fail "$f has $n lines (at most $max_lines: split it by concern)"
done < <(git ls-files -co --exclude-standard 'src/*.ts' 'src/**/*.ts' | xargs -r wc -l)

# 3. src/lib is pure: no Temporal, no I/O.
hits=$(grep -rnE "from '(@temporalio/[^']+|node:(fs|child_process|net|http|https)|fs|child_process|execa)'" src/lib || true)
[ -z "$hits" ] || fail "src/lib must stay pure (no Temporal, no I/O):
$hits"

# 4. The repository runs on its own: nothing reads ../shared, scripts never import test/.
hits=$(git grep -nE "shared/(fixtures|seeds|ARCHITECTURE|STYLE)|'\.\.', 'shared'" -- src scripts test .ci bin ':!scripts/check-house-rules.sh' || true)
[ -z "$hits" ] || fail "code, tests or CI read ../shared (vendor what you need under fixtures/):
$hits"
hits=$(git grep -nE "from '\.\./test/" -- scripts src || true)
[ -z "$hits" ] || fail "scripts/ and src/ never import test/:
$hits"

# 5. Nothing but boilerplate written twice in src/ (the workplace's duplicates tool, where this machine has it).
if command -v duplicates >/dev/null 2>&1; then
  report=$(duplicates --repo src --most 200 --seconds 60)
  rows=$(printf '%s\n' "$report" | grep -E '^D[0-9]+ ' | grep -v 'boilerplate' || true)
  [ -z "$rows" ] || fail "code written twice in src/ (make one piece serve both):
$rows"
  printf '%s\n' "$report" | grep -q '^incomplete:' && fail "duplicates did not read all of src/: $(printf '%s\n' "$report" | grep '^incomplete:')"
else
  echo "house rules: the duplicates tool is not on this machine; skipped that check" >&2
fi

[ "$failed" -eq 0 ] && echo "house rules: ok (prettier, file sizes, pure lib, self-contained, no duplicates)"
exit "$failed"
