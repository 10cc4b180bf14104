"""The CBS side, emulated: a stateful receiver of the push route and a puller of the official route."""
