from martechgate.cli import run

# Guarded: worker processes started by "spawn" (macOS, Windows) import this module again.
if __name__ == "__main__":
    run()
