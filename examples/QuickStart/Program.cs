Console.WriteLine(Lrnn.Torch.torch.Info);
