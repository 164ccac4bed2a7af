# kaohe - build, test, install.  Plain GNU make; `make V=1` shows commands.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
DATADIR  = $(PREFIX)/share/kaohe
MANDIR   = $(PREFIX)/share/man/man1

CC      ?= cc
PKGS     = xlsxwriter minizip expat zlib libutf8proc libsodium libcjson libmicrohttpd sqlite3
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libcsv ships no .pc file in Debian.
LIBS     = $(PKG_LIBS) -lcsv
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
CPPFLAGS_ALL = -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -I$(B)/gen $(PKG_CFLAGS) \
               -DKH_DATADIR='"$(DATADIR)"' -DKH_LOCALEDIR='"$(PREFIX)/share/locale"' $(CPPFLAGS)
SAN     ?=
B       ?= build

ifeq ($(V),1)
Q =
else
Q = @
endif

LIB_SRC  = $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard src/serve/*.c)
LIB_OBJ  = $(LIB_SRC:src/%.c=$(B)/obj/%.o) $(B)/obj/msgs_zh.o
# The Chinese catalogue: built into the library as a table (files are
# Chinese whatever the locale) and compiled to a .mo for the terminal.
MO       = $(B)/locale/zh_CN/LC_MESSAGES/kaohe.mo
LOCALEDIR = $(PREFIX)/share/locale
TEST_SRC = $(wildcard tests/test_*.c)
TESTS    = $(TEST_SRC:tests/%.c=$(B)/%)
# Fuzz targets (tests/fuzz/fuzz_*.c): libFuzzer builds and replay builds.
FUZZ_TARGETS = csv xlsx xls ods rubric score
FUZZ_TIME ?= 60
FUZZ_CC   ?= clang
FUZZ_SAN   = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_DEFS  = -Itests/fuzz -DFUZZ_RUBRICS='"$(CURDIR)/templates/rubrics"'
REPLAYS    = $(FUZZ_TARGETS:%=$(B)/replay_%)

.PHONY: all test check unit cli asan ubsan tsan clean install deps samples bench fuzz fuzz-long lint format valgrind deb test-deb windows test-windows pot gb18030-table mutants linux-static test-static

# Build the library, the command and the catalogue.
all: $(B)/libkaohe.a $(B)/kaohe $(MO)

$(B)/gen/msgs_zh.c: po/zh_CN.po tools/po2c.awk
	@mkdir -p $(@D)
	$(Q)awk -f tools/po2c.awk po/zh_CN.po > $@.tmp && mv $@.tmp $@

# The page of kaohe serve, built in (offline networks: nothing fetched).
# The page's areas (src/page/*.js) go in where it says <!-- areas -->.
PAGE_AREAS = $(sort $(wildcard src/page/*.js))
$(B)/gen/server_page.h: src/page/index.html $(PAGE_AREAS) tools/embed.awk
	@mkdir -p $(@D)
	$(Q)awk -v name=kh_server_page -v areas="$(PAGE_AREAS)" -f tools/embed.awk $< > $@.tmp && mv $@.tmp $@

$(B)/obj/serve/server.o: $(B)/gen/server_page.h

$(B)/obj/msgs_zh.o: $(B)/gen/msgs_zh.c src/i18n.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS) $(SAN) $(WARN) -c -o $@ $<

$(MO): po/zh_CN.po
	@mkdir -p $(@D)
	$(Q)msgfmt --check -o $@ $<

# po/kaohe.pot from the sources; po/zh_CN.po brought up to date with it
# (then translate what msgmerge marks new or fuzzy: tests/cli/test_po.sh
# fails until every message is translated).
pot:
	xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=T_ \
	    --keyword=Z_ --keyword=ngettext:1,2 --keyword=P_:1,2 --add-comments=TRANSLATORS --sort-by-file \
	    --package-name=kaohe --package-version=$$(sed -n 's/.*KAOHE_VERSION "\(.*\)".*/\1/p' include/kaohe.h) \
	    --msgid-bugs-address= -o po/kaohe.pot src/*.c src/serve/*.c
	msgmerge --quiet --update --backup=none --no-fuzzy-matching po/zh_CN.po po/kaohe.pot

$(B)/obj/%.o: src/%.c $(wildcard src/*.h src/serve/*.h) include/kaohe.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS) $(SAN) $(WARN) -c -o $@ $<

$(B)/libkaohe.a: $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/kaohe: $(B)/obj/main.o $(B)/libkaohe.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS)

$(B)/test_%: tests/test_%.c tests/testutil.h $(B)/libkaohe.a
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS_ALL) -Itests $(CFLAGS) $(SAN) $(WARN) -o $@ $< $(B)/libkaohe.a $(LIBS) -lcmocka

# kaohe's GB18030 decoding table (src/gb18030_table.h, checked in) made
# again from this system's iconv by tools/gen-gb18030.c;
# tests/test_gb18030.c compares the decoder with iconv code by code.
gb18030-table:
	@mkdir -p $(B)
	$(CC) -std=c11 -O2 $(WARN) -o $(B)/gen-gb18030 tools/gen-gb18030.c
	$(B)/gen-gb18030 >src/gb18030_table.h.tmp && mv src/gb18030_table.h.tmp src/gb18030_table.h

# The build's own zip packer (tools/zipdir.c): the Windows release zip,
# written with kaohe's zip writer.  Not installed.
$(B)/zipdir: tools/zipdir.c $(B)/libkaohe.a
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS) $(SAN) $(WARN) -o $@ $< $(B)/libkaohe.a $(LIBS)

# Run every test: unit tests (cmocka), the fuzz regression inputs, then CLI
# and interoperability tests.
test check: all $(TESTS) $(REPLAYS) $(B)/zipdir $(B)/sheet_cells
	$(Q)tests/run-unit.sh $(B) $(TESTS)
	$(Q)tests/fuzz/replay.sh $(B) $(FUZZ_TARGETS)
	$(Q)B=$(B) tests/run-sh.sh tests/cli
	$(Q)B=$(B) tests/run-sh.sh tests/interop

# Unit tests only.
unit: all $(TESTS)
	$(Q)tests/run-unit.sh $(B) $(TESTS)

# How many of the small bugs of tests/mutants.txt the fast tests (unit +
# CLI) catch, each applied to a copy of the tree (tests/mutants.sh; slow).
mutants:
	tests/mutants.sh

# The whole suite under AddressSanitizer (+ UBSan, LeakSanitizer) in build-asan/.
asan:
	ASAN_OPTIONS=detect_leaks=1:$(ASAN_OPTIONS) UBSAN_OPTIONS=print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp \
	$(MAKE) B=build-asan OPT=-O1 SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" test

# The whole suite under UndefinedBehaviorSanitizer in build-ubsan/.
ubsan:
	UBSAN_OPTIONS=print_stacktrace=1 \
	$(MAKE) B=build-ubsan OPT=-O1 SAN="-fsanitize=undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test

# The whole suite under ThreadSanitizer in build-tsan/: the -j paths
# (reading on worker threads, scoresheets written on them).  tests/tsan.supp
# names the one race inside libxlsxwriter that kaohe makes harmless.
tsan:
	TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/tests/tsan.supp $(TSAN_OPTIONS)" \
	$(MAKE) B=build-tsan OPT=-O1 SAN="-fsanitize=thread -fno-omit-frame-pointer" test

# The CLI tests with every kaohe run under valgrind (memcheck; a leak or
# memory error fails the test).
valgrind: all
	$(Q)B=$(B) KAOHE_WRAP="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99" tests/run-sh.sh tests/cli

# libFuzzer targets under ASan + UBSan in build-fuzz/ (clang), each run for
# FUZZ_TIME seconds; findings go to build-fuzz/artifacts/ (tests/fuzz/run.sh).
fuzz:
	$(MAKE) B=build-fuzz CC=$(FUZZ_CC) OPT=-O1 SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
		$(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
	tests/fuzz/run.sh build-fuzz $(FUZZ_TIME) $(FUZZ_TARGETS)

# Long campaigns (make fuzz-long FUZZ_TIME=1800): the same targets under
# UBSan alone at -O2 in build-fuzz-fast/, about four times the executions
# per second of the ASan build, on inputs up to FUZZ_MAXLEN bytes; then
# every input they kept is run once under ASan + UBSan (tests/fuzz/recheck.sh).
FUZZ_MAXLEN ?= 16384
fuzz-long:
	$(MAKE) B=build-fuzz-fast CC=$(FUZZ_CC) OPT=-O2 \
		SAN="-fsanitize=undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link" \
		$(FUZZ_TARGETS:%=build-fuzz-fast/fuzz_%)
	$(MAKE) B=build-fuzz CC=$(FUZZ_CC) OPT=-O1 SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
		$(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
	FUZZ_MAXLEN=$(FUZZ_MAXLEN) tests/fuzz/run.sh build-fuzz-fast $(FUZZ_TIME) $(FUZZ_TARGETS)
	tests/fuzz/recheck.sh build-fuzz build-fuzz-fast $(FUZZ_TARGETS)

$(B)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(B)/libkaohe.a
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(FUZZ_DEFS) -DKH_LIBFUZZER $(CFLAGS) $(SAN) -fsanitize=fuzzer $(WARN) \
		-o $@ $< $(B)/libkaohe.a $(LIBS)

# Every cell kaohe reads from spreadsheet files, for the differential tests
# of tests/interop/ (built by make test).
$(B)/sheet_cells: tests/tools/sheet_cells.c $(B)/libkaohe.a
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS) $(SAN) $(WARN) -o $@ $< $(B)/libkaohe.a $(LIBS)

# The same targets with a plain main() that replays files (make test).
$(B)/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(wildcard tests/fuzz/*.h) $(B)/libkaohe.a
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(FUZZ_DEFS) $(CFLAGS) $(SAN) $(WARN) \
		-o $@ $< tests/fuzz/replay.c $(B)/libkaohe.a $(LIBS)

# The main job on the bundled samples: scoresheets and a ranking in out/.
samples: all
	$(B)/kaohe score samples -o out/scoresheets
	$(B)/kaohe rank samples -o out/ranking.xlsx --json out/ranking.json

# Install the Debian packages kaohe needs to build and test (as root).
deps:
	$(Q)tools/install-deps.sh

# Install the command, the rubrics and the man page.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/rubrics $(DESTDIR)$(MANDIR)
	install -m 755 $(B)/kaohe $(DESTDIR)$(BINDIR)/kaohe
	install -m 644 templates/rubrics/*.csv $(DESTDIR)$(DATADIR)/rubrics/
	install -m 644 doc/kaohe.1 $(DESTDIR)$(MANDIR)/kaohe.1
	install -d $(DESTDIR)$(LOCALEDIR)/zh_CN/LC_MESSAGES $(DESTDIR)$(PREFIX)/share/man/zh_CN/man1
	install -m 644 $(MO) $(DESTDIR)$(LOCALEDIR)/zh_CN/LC_MESSAGES/kaohe.mo
	install -m 644 doc/zh_CN/kaohe.1 $(DESTDIR)$(PREFIX)/share/man/zh_CN/man1/kaohe.1

# Static checks.
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability -Iinclude -Isrc src

# Benchmark (bench/README.md): N generated checklists (N=2000 by default,
# N=20000 make bench), kaohe against an openpyxl peer, a parsing floor and
# a writing floor.
N ?= 2000
bench: all $(B)/bench/floor $(B)/bench/write_floor
	$(Q)/usr/bin/python3 bench/run.py --kaohe $(B)/kaohe --floor $(B)/bench/floor \
	    --write-floor $(B)/bench/write_floor --n $(N) --work $(B)/bench

$(B)/bench/%: bench/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(PKG_CFLAGS) $(OPT) $(WARN) -o $@ $< $(PKG_LIBS)

# Remove build outputs.
clean:
	rm -rf build build-asan build-ubsan build-fuzz out

# The Debian package dist/kaohe_VERSION_ARCH.deb (tools/make-deb.sh; needs
# `tools/install-deps.sh deb`).  `make test-deb` installs it in a fresh
# Debian 12 chroot and scores the samples there (root, network).
deb:
	tools/make-deb.sh build-deb

test-deb: deb
	tools/test-deb.sh

# The Windows build: a static 64-bit kaohe.exe cross-built with mingw-w64
# from Debian's sources of its libraries, and dist/kaohe-VERSION-windows-x64.zip
# (tools/windows/build.sh; needs `tools/install-deps.sh windows`).
# `make test-windows` runs it under Wine (tests/windows/run.sh).
windows:
	tools/windows/build.sh build-win

test-windows: all
	tests/windows/run.sh

# Self-contained Linux builds for offices whose systems are older than
# Debian 12 (UOS 20, Kylin V10): static on musl, amd64 and arm64, every
# library from Debian 12's sources (tools/static/build.sh; needs
# `tools/install-deps.sh static`): dist/kaohe-static_VERSION_ARCH.deb and
# dist/kaohe-VERSION-linux-ARCH.tar.gz.  Libraries are cached in
# build-static/.  `make test-static` checks them (tests/static/run.sh:
# static binaries, arm64 under qemu, a fresh Debian 12 chroot; root).
linux-static:
	tools/static/build.sh build-static

test-static: linux-static
	tests/static/run.sh
