# Emoscope — the two commands that matter: `make run` and `make test`.
SWIFT      ?= swift
PREFIX     ?= /usr/local
DEMO_CLIP  := Assets/demo/03-01-05-02-01-01-01.flac
RELEASE    := .build/release

.PHONY: all deps build run test bench model adaptive-model robust-model install uninstall clean reference-fixtures

RAVDESS    ?= ../shared/datasets/ravdess-speech-16k

all: build

deps:
	@scripts/ensure-deps.sh

build: deps
	$(SWIFT) build -c release --product emoscope
	$(SWIFT) build -c release --product emoscope-train

## Build in release mode and launch the app on the default model in Assets/: the live meter on the
## microphone when there is one, otherwise the same meter on a bundled demo clip played in real time.
run: build
	@if $(RELEASE)/emoscope live --list-devices >/dev/null 2>&1; then \
	  $(RELEASE)/emoscope live; \
	else \
	  echo "no capture device: playing $(DEMO_CLIP) through the live meter"; sleep 1; \
	  $(RELEASE)/emoscope live --file $(DEMO_CLIP) --loop; \
	fi

## Install what is missing, build, and run the whole test suite (optimised: the tests check
## what ships, e.g. that classifying a window allocates nothing).
test: deps
	$(SWIFT) build -c release --build-tests
	$(SWIFT) test -c release --skip-build

## Benchmarks (timings live here, not in tests). CORPUS=… points at another RAVDESS copy.
bench: deps
	$(SWIFT) build -c release --product emoscope
	$(SWIFT) build -c release --product emoscope-bench
	$(RELEASE)/emoscope-bench $(if $(CORPUS),--corpus $(CORPUS))

## Retrain the default model and its cross-validation report from RAVDESS (6 speaker-independent folds + final fit).
model: deps
	$(SWIFT) build -c release --product emoscope-train
	EMOSCOPE_REVISION=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown) \
	  $(RELEASE)/emoscope-train $(RAVDESS) --format ravdess --folds 6 --seed 1 \
	  --output Assets/default.emomodel --report Assets/default.report.json $(if $(RESUME),--resume)

## The same recipe trained per speaker (--speaker-normalization): the model that adapts to a voice, and its report.
adaptive-model: deps
	$(SWIFT) build -c release --product emoscope-train
	EMOSCOPE_REVISION=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown) \
	  $(RELEASE)/emoscope-train $(RAVDESS) --format ravdess --folds 6 --seed 1 --speaker-normalization \
	  --output Assets/adaptive.emomodel --report Assets/adaptive.report.json $(if $(RESUME),--resume)

## The same recipe with a random ±12 dB equaliser on every training example: the model for other microphones.
robust-model: deps
	$(SWIFT) build -c release --product emoscope-train
	EMOSCOPE_REVISION=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown) \
	  $(RELEASE)/emoscope-train $(RAVDESS) --format ravdess --folds 6 --seed 1 --augmentation crop,vtlp=0.05,eq \
	  --output Assets/robust.emomodel --report Assets/robust.report.json $(if $(RESUME),--resume)

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/emoscope
	install -m 755 $(RELEASE)/emoscope $(RELEASE)/emoscope-train $(DESTDIR)$(PREFIX)/bin/
	cp -R Assets/. $(DESTDIR)$(PREFIX)/share/emoscope/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/emoscope $(DESTDIR)$(PREFIX)/bin/emoscope-train
	rm -rf $(DESTDIR)$(PREFIX)/share/emoscope

## Regenerate the librosa parity fixtures (by hand; needs `pip install librosa==0.11.0`).
reference-fixtures:
	python3 scripts/librosa_reference.py

clean:
	rm -rf .build
