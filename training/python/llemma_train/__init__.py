"""Training of the Llemma for VS Code models: a Llama in PyTorch, its trainer and its ONNX exporter."""
