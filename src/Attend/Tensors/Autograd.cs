namespace Attend.Tensors;

/// <summary>Switches recording of operations on and off, and orders the recorded graph for the backward pass.</summary>
public static class Autograd
{
    [ThreadStatic]
    private static int t_noGradDepth;

    [ThreadStatic]
    private static List<Tensor>? t_order;

    [ThreadStatic]
    private static HashSet<Tensor>? t_visited;

    [ThreadStatic]
    private static Stack<(Tensor Node, int Next)>? t_stack;

    /// <summary>True unless inside a <see cref="NoGrad"/> scope on this thread.</summary>
    public static bool IsEnabled => t_noGradDepth == 0;

    /// <summary>A scope for inference: operations inside record nothing and their results require no gradient.</summary>
    public static NoGradScope NoGrad()
    {
        t_noGradDepth++;
        return new NoGradScope();
    }

    /// <summary>Ends a <see cref="NoGrad"/> scope when disposed.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <summary>Leaves the scope.</summary>
        public void Dispose() => t_noGradDepth--;
    }

    /// <summary>The tensors that require gradients and lead to <paramref name="root"/>, inputs before the results they feed.</summary>
    /// <remarks>The list and the search's collections are this thread's, reused by every backward pass (no allocation per step).</remarks>
    internal static List<Tensor> TopologicalOrder(Tensor root)
    {
        List<Tensor> order = t_order ??= [];
        HashSet<Tensor> visited = t_visited ??= new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        Stack<(Tensor Node, int Next)> stack = t_stack ??= new Stack<(Tensor Node, int Next)>();
        order.Clear();
        visited.Clear();
        stack.Clear();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            (Tensor node, int next) = stack.Pop();
            if (next < node.InputCount)
            {
                stack.Push((node, next + 1));
                Tensor parent = node.Input(next);
                if (parent.RequiresGrad && visited.Add(parent))
                    stack.Push((parent, 0));
            }
            else
            {
                order.Add(node);
            }
        }
        visited.Clear();
        return order;
    }
}
