#!/usr/bin/env bash
# Copy the prebuilt dist files the pages use from node_modules/ into static/vendor/ (served locally,
# no CDN). Run from anywhere after `npm ci` in web/; `make web-assets` does both.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
modules="$here/node_modules"
vendor="$here/static/vendor"

mkdir -p "$vendor/bpmn-js/assets"
cp "$modules/bpmn-js/dist/bpmn-viewer.production.min.js" "$vendor/bpmn-js/"
# The process library and the modeler: navigated viewer, modeler, and the palette's icon font.
cp "$modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js" \
   "$modules/bpmn-js/dist/bpmn-modeler.production.min.js" "$vendor/bpmn-js/"
mkdir -p "$vendor/bpmn-js/assets/bpmn-font/css" "$vendor/bpmn-js/assets/bpmn-font/font"
cp "$modules/bpmn-js/dist/assets/bpmn-font/css/bpmn.css" "$vendor/bpmn-js/assets/bpmn-font/css/"
cp "$modules/bpmn-js/dist/assets/bpmn-font/font/"bpmn.{woff2,woff,ttf} "$vendor/bpmn-js/assets/bpmn-font/font/"
cp "$modules/bpmn-js/dist/assets/diagram-js.css" "$modules/bpmn-js/dist/assets/bpmn-js.css" \
   "$vendor/bpmn-js/assets/"
# The decision table editor: dmn-js modeler, its styles and icon font.
mkdir -p "$vendor/dmn-js/assets/dmn-font/css" "$vendor/dmn-js/assets/dmn-font/font"
cp "$modules/dmn-js/dist/dmn-modeler.production.min.js" "$vendor/dmn-js/"
cp "$modules/dmn-js/dist/assets/"{diagram-js,dmn-js-shared,dmn-js-drd,dmn-js-decision-table,dmn-js-decision-table-controls,dmn-js-literal-expression,dmn-js-boxed-expression,dmn-js-boxed-expression-controls}.css \
   "$vendor/dmn-js/assets/"
cp "$modules/dmn-js/dist/assets/dmn-font/css/dmn.css" "$vendor/dmn-js/assets/dmn-font/css/"
cp "$modules/dmn-js/dist/assets/dmn-font/font/"dmn.{woff2,woff,ttf} "$vendor/dmn-js/assets/dmn-font/font/"
cp "$modules/axe-core/axe.min.js" "$vendor/"
for licence in bpmn-js dmn-js axe-core; do
  cp "$modules/$licence/LICENSE" "$vendor/$licence.LICENSE"
done
echo "copied vendor assets into $vendor"
