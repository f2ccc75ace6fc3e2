using Attend.Layers;
using Attend.Tensors;

namespace Attend.Models;

/// <summary>What every model family shares: its config, its parameters in one slab, and its dropout switch.</summary>
public interface ITransformerModel
{
    /// <summary>The hyper-parameters.</summary>
    ModelConfig Config { get; }

    /// <summary>Every trainable parameter, named as the PyTorch counterpart names it.</summary>
    ParameterStore Parameters { get; }

    /// <summary>Dropout's probability, training switch and generator.</summary>
    DropoutSource Dropout { get; }
}
