print("chop")
