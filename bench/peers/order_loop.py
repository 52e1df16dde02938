"""The loop of the peers that wait for orders (paired_peer.py, paired_train_peer.py).

serve(handle) reads one order per line from stdin until "quit" or the end of input, calls
handle(words) and answers "ok VALUE" with what it returns, or "error MESSAGE" when it raises,
one line per order, flushed: the bench reads exactly one answer per order it sends.
"""
import sys


def serve(handle):
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            return
        try:
            value = handle(words)
            print("ok %.6f" % value, flush=True)
        except Exception as e:  # the bench notes it and goes on
            print("error %s" % str(e).replace("\n", " "), flush=True)
