#!/usr/bin/env bash
# Enforces DESIGN.md §2's dependency directions on #include "dir/file.h" lines:
#   cmd -> anything; container -> storage, image, runtime, monitor, network, pkg;
#   monitor -> runtime, network, pkg; image -> storage, pkg;
#   storage, runtime, network -> pkg; pkg -> libc and libraries only.
# Prints each violation as file:line and exits 1 when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."

allowed() {
	case $1 in
	cmd | tests | bench) echo "cmd pkg storage image runtime monitor network container tests" ;;
	container) echo "container storage image runtime monitor network pkg" ;;
	monitor) echo "monitor runtime network pkg" ;;
	image) echo "image storage pkg" ;;
	storage) echo "storage pkg" ;;
	runtime) echo "runtime pkg" ;;
	network) echo "network pkg" ;;
	pkg) echo "pkg" ;;
	*) echo "" ;;
	esac
}

bad=0
while IFS= read -r file; do
	dir=${file%%/*}
	ok=" $(allowed "$dir") "
	while IFS=: read -r line target; do
		tdir=${target%%/*}
		if [[ "$ok" != *" $tdir "* ]]; then
			echo "$file:$line: '$dir' may not include '$target' (DESIGN.md §2)"
			bad=1
		fi
	done < <(grep -n -o '^#include "[^"]*"' "$file" | sed 's/#include "\(.*\)"/\1/')
done < <(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find cmd container pkg storage image runtime monitor network tests -name '*.[ch]')
exit $bad
