import sys

from socketlab_trace.runner import main

sys.exit(main(sys.argv[1:]))
