"""The fault and abuse suite: what a hostile client on loopback sends, and what AWS answers."""
