#!/usr/bin/env bash
# Starts the action server and the Rasa server with the newest model, prints where to find
# them and what to try, and stops both on Ctrl-C. `--shell` chats in the terminal instead.
# Called by `make run` / `make shell` after the database and model are ready.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://localhost:${ACTIONS_PORT}/webhook}
export RASA_TELEMETRY_ENABLED=false PYTHONPATH=${PYTHONPATH:-$PWD}
LOG_DIR=${VAR_DIR:-var}/logs
mkdir -p "$LOG_DIR"
# The agents' console needs an account: without AGENT_TOKENS, make a demo one for this run.
agent_login="accounts from AGENT_TOKENS"
if [[ -z "${AGENT_TOKENS:-}" ]]; then
  demo_token=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  export AGENT_TOKENS="demo:${demo_token}"
  agent_login="user demo, password ${demo_token}"
fi

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap stop INT TERM EXIT

wait_for() {  # url name seconds
  for _ in $(seq 1 "$3"); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "$2 did not start in $3 s; see $LOG_DIR" >&2
  exit 1
}

"$BIN/python" -m bot.action_server --port "$ACTIONS_PORT" \
  >"$LOG_DIR/actions.log" 2>&1 &
pids+=($!)
wait_for "http://localhost:${ACTIONS_PORT}/health" "The action server" 90

if [[ "${1:-}" == "--shell" ]]; then
  "$BIN/rasa" shell -m models --endpoints bot/endpoints.yml
  exit 0
fi

"$BIN/rasa" run -m models --endpoints bot/endpoints.yml --credentials bot/credentials.yml \
  --port "$RASA_PORT" >"$LOG_DIR/rasa.log" 2>&1 &
pids+=($!)
wait_for "http://localhost:${RASA_PORT}/" "The Rasa server" 180

cat <<EOF

  理赔客服助手 is running.
    Web chat:       http://localhost:${RASA_PORT}/webhooks/web/
    REST channel:   http://localhost:${RASA_PORT}/webhooks/rest/webhook
    WeChat:         http://localhost:${RASA_PORT}/webhooks/wechat/  (needs WECHAT_* settings)
    Agents:         http://localhost:${RASA_PORT}/webhooks/agent/  (${agent_login})
    Action server:  http://localhost:${ACTIONS_PORT}/health
    Logs:           ${LOG_DIR}/

  Try it (another terminal):
    curl -s localhost:${RASA_PORT}/webhooks/rest/webhook -d '{"sender":"demo","message":"你好"}'
    then 查一下我的理赔进度 → RDZA202600000101 → 8000 (last 4 digits of the demo phone)
    other demo claims: RYAA202600000201 / 6000 (paying), REAA202600000301 / 7000 (rejected),
    RZJA202600000401 / 5000 (under review); questions such as 车被水淹了能赔吗.

  Press Ctrl-C to stop.
EOF
wait -n "${pids[@]}"
