-- Question: What were the top 10 products by revenue over the last 12 months?
-- Description: "Last 12 months" counts back from the latest order date in the data, not from today.
SELECT p.name,
       p.category,
       ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS revenue
FROM order_items AS oi
JOIN orders AS o ON o.order_id = oi.order_id
JOIN products AS p ON p.product_id = oi.product_id
WHERE o.status NOT IN ('cancelled', 'returned')
  AND o.order_date > date((SELECT MAX(order_date) FROM orders), '-12 months')
GROUP BY p.product_id, p.name, p.category
ORDER BY revenue DESC
LIMIT 10;
