# The hand procedure for one branch, sourced by bench/handScript.sh (one
# branch after the other) and bench/parallelScript.sh (one pipeline per
# branch). In the clone it is run in, with `origin/<branch>` just fetched:
# read the pin from the vars file (git show), resolve the tag's digest (skopeo
# inspect --raw, sha256 of the manifest), check the image's labels (skopeo
# inspect --config: source, version = the branch's tag, revision = the source
# branch's HEAD from git ls-remote), edit the pin with sed, add a reno note,
# commit -s, push the work branch with a lease (it must not exist unless as
# last fetched), open the PR with curl through the GitHub API.
#
# Environment: SOURCE_URL REGISTRY REGISTRY_USER REGISTRY_PASSWORD
# GITHUB_API_URL GITHUB_TOKEN TARGET_SLUG, and git's own GIT_CONFIG_*.
SERVICE=magnum
IMAGE=vexxhost/magnum
VARS=roles/defaults/vars/main.yml
SOURCE_LABEL=https://github.com/vexxhost/docker-magnum
export GIT_AUTHOR_NAME='hand script' GIT_AUTHOR_EMAIL='hand@bumpflow.test'
export GIT_COMMITTER_NAME='hand script' GIT_COMMITTER_EMAIL='hand@bumpflow.test'
export GIT_TERMINAL_PROMPT=0

die() {
  echo "hand script: $*" >&2
  exit 1
}
label() { # label <config.json> <key>
  grep -o "\"org\.opencontainers\.image\.$2\": *\"[^\"]*\"" "$1" | head -n 1 | sed 's/.*: *"\(.*\)"$/\1/'
}
skopeo_inspect() {
  skopeo inspect --tls-verify=false --creds "$REGISTRY_USER:$REGISTRY_PASSWORD" "$@"
}
tag_of() { # tag_of <branch>
  case "$1" in
    main) echo main ;;
    stable/*) echo "${1#stable/}" ;;
    *) die "expected main or stable/<release>, found $1" ;;
  esac
}
# clone_or_fetch <dir> [clone options…]: a clone the first time, a fetch in it later
clone_or_fetch() {
  dir=$1
  shift
  if [ -d "$dir/.git" ]; then
    git -C "$dir" fetch --quiet --prune origin
  else
    git clone --quiet "$@" "$TARGET_URL" "$dir"
  fi
}

# bump_branch <branch> <scratch dir>: in the current clone
bump_branch() {
  branch=$1
  tmp=$2
  tag=$(tag_of "$branch")
  tag_re=$(printf '%s' "$tag" | sed 's/\./\\./g')
  mkdir -p "$tmp"

  old=$(git show "origin/$branch:$VARS" | grep -o "ghcr\.io/$IMAGE:$tag_re@sha256:[a-f0-9]\{64\}" | head -n 1 | sed 's/.*@//')
  [ -n "$old" ] || die "$branch: expected a ghcr.io/$IMAGE:$tag@sha256 pin in $VARS, found none"

  skopeo_inspect --raw "docker://$REGISTRY/$IMAGE:$tag" >"$tmp/manifest.json"
  new="sha256:$(sha256sum "$tmp/manifest.json" | cut -d ' ' -f 1)"
  if [ "$new" = "$old" ]; then
    echo "$branch: already at $new"
    return 0
  fi

  skopeo_inspect --config "docker://$REGISTRY/$IMAGE@$new" >"$tmp/config.json"
  source=$(label "$tmp/config.json" source)
  version=$(label "$tmp/config.json" version)
  revision=$(label "$tmp/config.json" revision)
  head=$(git ls-remote "$SOURCE_URL" "refs/heads/$branch" | cut -f 1)
  [ "$source" = "$SOURCE_LABEL" ] || die "$branch: expected source label $SOURCE_LABEL, found $source"
  [ "$version" = "$tag" ] || die "$branch: expected version label $tag, found $version"
  [ -n "$head" ] && [ "$revision" = "$head" ] || die "$branch: expected revision $head (source HEAD), found $revision"

  work="bump-$SERVICE-$tag"
  git checkout --quiet -B "$work" "origin/$branch"
  sed -i "s|ghcr\.io/$IMAGE:$tag_re@$old|ghcr.io/$IMAGE:$tag@$new|g" "$VARS"
  grep -q "$new" "$VARS" || die "$branch: the sed left no $new in $VARS"
  note="releasenotes/notes/bump-$SERVICE-$(printf '%s' "$branch$new" | sha256sum | cut -c 1-16).yaml"
  mkdir -p releasenotes/notes
  printf 'fixes:\n  - |\n    The %s images are now %s (built from %s).\n' "$SERVICE" "$new" "$revision" >"$note"
  git add "$VARS" "$note"
  git commit --quiet -s -m "chore($SERVICE): bump to $new" -m "Built from $SOURCE_LABEL@$revision."
  # the lease: the work branch must be where this clone last saw it (nowhere, the first time)
  seen=$(git rev-parse --quiet --verify "refs/remotes/origin/$work" || true)
  git push --quiet --force-with-lease="refs/heads/$work:$seen" origin "$work"

  body=$(printf '{"title":"[%s] bump %s to %s","head":"%s","base":"%s","body":"Built from %s@%s."}' \
    "$branch" "$SERVICE" "$new" "$work" "$branch" "$SOURCE_LABEL" "$revision")
  number=$(curl --silent --show-error --fail -X POST \
    -H "Authorization: token $GITHUB_TOKEN" -H 'Accept: application/vnd.github+json' \
    -d "$body" "$GITHUB_API_URL/repos/$TARGET_SLUG/pulls" | grep -o '"number":[0-9]*' | head -n 1 | cut -d : -f 2)
  [ -n "$number" ] || die "$branch: expected a PR number from the stand-in, found none"
  echo "$branch: PR #$number ($old -> $new)"
}
