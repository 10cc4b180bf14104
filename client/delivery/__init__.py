"""Delivery on the push route: settings, the journal, plan -> journal -> sign -> send -> poll."""
