# One build for rcr: librcr.a, rcr and rcr-monitor (DESIGN.md §2).
#   make            build into build/
#   make check      unit + integration tests (sets up the test environment when run as root)
#   make asan       the same tests on an ASan+UBSan build in build-asan/
#   make lint       cppcheck, clang-tidy, shellcheck, include directions
#   make format     clang-format in place; make format-check only reports
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/rcr
MANDIR     ?= $(PREFIX)/share/man
BUILD      ?= build
VERSION    := 0.1.0
PKG_CONFIG ?= pkg-config

CC ?= cc
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wvla -Wwrite-strings -Wimplicit-fallthrough -fno-common
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
OPT ?= -O2 -g
SAN ?=
ifeq ($(SAN),1)
OPT := -O1 -g -fno-omit-frame-pointer
HARDEN := -fstack-protector-strong -fPIE
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
MON_DYNAMIC := yes
endif

# rcr links everything; the monitor only what DESIGN.md §2 allows it, so it stays small.
ALL_PKGS := libcurl jansson libzstd libarchive libseccomp sqlite3 libcrypto zlib
MON_PKGS := jansson libseccomp
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(ALL_PKGS))
ALL_LIBS := $(shell $(PKG_CONFIG) --libs $(ALL_PKGS))
# rcr itself loads libcurl, libarchive and libcrypto on first use (image/lazylib.h): not linked,
# so that every start does not map them and their ~40 dependencies.
LAZY_PKGS := libcurl libarchive libcrypto
RCR_LIBS := $(shell $(PKG_CONFIG) --libs $(filter-out $(LAZY_PKGS),$(ALL_PKGS)))
MON_LIBS := $(shell $(PKG_CONFIG) --libs $(MON_PKGS))
# One rcr-monitor runs per container: it is linked static-pie, so that it maps no shared library
# (1.3 MB RSS instead of 2.1 MB here) and starts without the dynamic loader. The sanitizer
# runtimes cannot be linked statically: make asan links it dynamically.
MON_LDFLAGS := -static-pie

CPPFLAGS += -I. -D_GNU_SOURCE -DRCR_VERSION='"$(VERSION)"' -DRCR_LIBEXECDIR='"$(LIBEXECDIR)"'
CFLAGS   += -std=gnu11 $(OPT) $(WARN) $(HARDEN) $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS  += -pie -Wl,-z,relro,-z,now $(SANFLAGS)

LIB_DIRS := pkg storage image runtime monitor network container
MON_DIRS := pkg runtime monitor network
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
MON_LIB_SRCS := $(foreach d,$(MON_DIRS),$(wildcard $(d)/*.c))
CMD_SRCS := $(filter-out cmd/monitor_main.c,$(wildcard cmd/*.c))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_SECONDS ?= 60

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB_OBJS := $(call obj,$(LIB_SRCS))
MON_LIB_OBJS := $(call obj,$(MON_LIB_SRCS))
CMD_OBJS := $(call obj,$(CMD_SRCS))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
# Each fuzz target's seed corpus also runs as a unit test (test_fuzz_NAME) through replay.c.
FUZZ_REPLAYS := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/tests/unit/test_fuzz_%,$(FUZZ_SRCS))

.PHONY: all check unit asan lint format format-check install clean fuzz
all: $(BUILD)/rcr $(BUILD)/rcr-monitor $(BUILD)/librcr.a

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/librcr.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/rcr: $(CMD_OBJS) $(BUILD)/librcr.a
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJS) $(BUILD)/librcr.a $(RCR_LIBS)

# Through an archive, so only the objects the monitor really calls are linked in.
$(BUILD)/librcr-monitor.a: $(MON_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/rcr-monitor: $(BUILD)/cmd/monitor_main.o $(BUILD)/librcr-monitor.a
	$(CC) $(if $(MON_DYNAMIC),$(LDFLAGS),$(MON_LDFLAGS) $(filter-out -pie,$(LDFLAGS))) -o $@ \
		$(BUILD)/cmd/monitor_main.o $(BUILD)/librcr-monitor.a $(MON_LIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/librcr.a tests/unit/tap.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/librcr.a $(ALL_LIBS)

$(BUILD)/tests/unit/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(BUILD)/librcr.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DFUZZ_NAME='"$*"' $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c \
		$(BUILD)/librcr.a $(ALL_LIBS)

unit: all $(UNIT_BINS) $(FUZZ_REPLAYS)

# On a fresh machine (as root) the build dependencies come first, before this Makefile's
# pkg-config lookups can succeed: hence the recursive make after the install step. The runner then
# sets up users, images and registries, stages the binaries for the unprivileged test user, runs
# every unit and integration test under one prove, and stops the registries.
check:
	@if [ "$$(id -u)" -eq 0 ]; then tests/setup/setup.sh install; fi
	$(MAKE) --no-print-directory unit
	tests/run.sh $(BUILD)

# libFuzzer on every target for FUZZ_SECONDS each, starting from (and adding to a copy of) the
# committed corpus. Needs clang.
fuzz:
	@set -e; for f in $(FUZZ_SRCS); do \
		n=$$(basename $$f .c); n=$${n#fuzz_}; \
		mkdir -p $(BUILD)/fuzz tests/fuzz/corpus-run/$$n; \
		clang -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) $(PKG_CFLAGS) \
			-o $(BUILD)/fuzz/$$n $$f $(LIB_SRCS) $(ALL_LIBS); \
		cp -n tests/fuzz/corpus/$$n/* tests/fuzz/corpus-run/$$n/ 2>/dev/null || true; \
		$(BUILD)/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus-run/$$n; \
	done

asan:
	$(MAKE) --no-print-directory BUILD=build-asan SAN=1 check

lint: all
	scripts/lint.sh

FORMAT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
format:
	clang-format -i $(FORMAT_SRCS)
format-check:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BUILD)/rcr $(DESTDIR)$(BINDIR)/rcr
	install -m 0755 $(BUILD)/rcr-monitor $(DESTDIR)$(LIBEXECDIR)/rcr-monitor

clean:
	rm -rf build build-asan

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(BUILD)/cmd/monitor_main.d
