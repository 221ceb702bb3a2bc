#!/bin/sh
# Starts `tca serve` for a first look: creates a .env with fresh secrets if there is none.
# With no Twitch app in .env, tca runs against its simulated Twitch.
set -eu
cd "$(dirname "$0")/.."
if [ ! -f .env ]; then
    build/tca env-generate >.env
    echo "TCA_CAPTURE_INTERVAL=10" >>.env
    echo "created .env with fresh secrets (add your Twitch app there to use real Twitch)"
fi
exec build/tca serve
