#!/usr/bin/env bash
# Runs the Rasa test stories (tests/stories) against the newest model; any wrong prediction
# fails. Results land in results/stories/.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false PYTHONPATH=${PYTHONPATH:-$PWD} TQDM_DISABLE=1
.venv/bin/rasa test core --model models --stories tests/stories \
  --endpoints bot/endpoints.yml --out results/stories --fail-on-prediction-errors
