-- Question: Which product categories brought in the most revenue in 2024?
-- Description: Revenue and units sold per product category for orders placed in 2024.
SELECT p.category,
       ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS revenue,
       SUM(oi.quantity) AS units_sold
FROM order_items AS oi
JOIN orders AS o ON o.order_id = oi.order_id
JOIN products AS p ON p.product_id = oi.product_id
WHERE o.status NOT IN ('cancelled', 'returned')
  AND o.order_date >= '2024-01-01' AND o.order_date < '2025-01-01'
GROUP BY p.category
ORDER BY revenue DESC;
