#!/usr/bin/env bash
# Kustomize benchmark: kvet lint on a kustomize repository with three
# overlays (bench/kustomize -gen: a base of APPS applications, 4 objects
# each) against building each overlay with krusty (bench/kustomize -build,
# what kustomize build does) and piping it to kvet lint -. Prints the CPU
# seconds (user+sys) and wall seconds of each side, REPEAT times, in
# pairs taken back to back.
#
#   bench/kustomize/run.sh            APPS=50 REPEAT=5 by default
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/out/kustomize
mkdir -p "$out"
apps=${APPS:-50}
go build -o "$out/kvet" ./cmd/kvet
go build -o "$out/kustomize" ./bench/kustomize
repo="$out/repo$apps"
[ -d "$repo" ] || "$out/kustomize" -gen "$repo" -apps "$apps"
cpu() { # prints "cpu wall" of the command
	/usr/bin/time -f "%U %S %e" -o "$out/t" "$@" >/dev/null 2>&1 || true
	awk '{printf "%.2f %.2f", $1+$2, $3}' "$out/t"
}
pipe() {
	for o in dev staging prod; do
		"$out/kustomize" -build "$repo/overlays/$o" | "$out/kvet" lint - || true
	done
}
export -f pipe
export out repo
echo "apps=$apps objects/overlay=$((apps * 4))"
echo "run kvet(cpu wall) pipe(cpu wall)"
for i in $(seq "${REPEAT:-5}"); do
	k=$(cpu "$out/kvet" lint "$repo")
	p=$(cpu bash -c pipe)
	echo "$i $k $p"
done
