#!/usr/bin/env bash
# Type-ahead in a real terminal: each burst goes to `qualif --demo` in ONE
# `tmux send-keys` (keys arrive as fast as the terminal delivers them), then the
# screen is checked for what the burst must have done. Exit status 1 on a miss.
#
#   bash benchmarks/tmux_bursts.sh [WIDTHxHEIGHT]      (default 80x24; also try 160x48)
#
# Needs tmux and qualif on PATH (the venv's bin). Uses the tests' "today".
set -u
size=${1:-80x24}; w=${size%x*}; h=${size#*x}
s=qualif-bursts-$$
export QUALIF_TODAY=2026-11-20
tmux new-session -d -s "$s" -x "$w" -y "$h" "qualif --demo; sleep 30"
trap 'tmux kill-session -t "$s" 2>/dev/null' EXIT
failed=0

screen() { tmux capture-pane -pt "$s"; }
# A terminal cannot tell Escape from the start of alt+key when another key follows
# at once (ESC a = alt+a): Escape goes alone, with the terminal's pause after it.
escape() { tmux send-keys -t "$s" Escape; sleep 0.3; }

# wait (up to 20 s) until the screen shows $1, else report the miss
expect() {
  for _ in $(seq 1 100); do
    if screen | grep -qF -- "$1"; then echo "ok    $2"; return 0; fi
    sleep 0.2
  done
  echo "MISS  $2 (no '$1' on screen)"; screen | sed 's/^/      /'; failed=1
}

expect "300 contacts" "launch"
# F2, two keys down, 3 (Situation familiale), two down, a month typed at full speed
tmux send-keys -t "$s" F2 j j 3 j j 2 0 1 9 - 0 5 Enter
expect "2019-05" "F2 + navigation + a month at full speed"
expect "couple avec enfants" "…the value on the contact shown"
# a new query over the old one, in one burst
escape
tmux send-keys -t "$s" / C-u p Tab c Tab Enter
expect "profil:client" "/ ctrl+u + completed query + Enter"
# Q, the key, ten digits
tmux send-keys -t "$s" / C-u Enter Q 2 1 2 3 4 5 6 7 8 9 1
expect "10 réponse(s)" "sprint on one key: ten digits at full speed"
escape
# the agenda, Enter on the first item, a call logged
tmux send-keys -t "$s" a Enter c C-s
expect "Inscrit dans l'historique" "a + Enter + c + ctrl+s"
tmux send-keys -t "$s" C-q
expect "Quitter la démo" "quitting the demo asks about a copy"
tmux send-keys -t "$s" C-q
exit $failed
