-- Question: What was the revenue per month in 2024?
-- Description: One row per month of 2024 with revenue and the number of orders that count for revenue.
SELECT strftime('%Y-%m', o.order_date) AS month,
       ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS revenue,
       COUNT(DISTINCT o.order_id) AS orders
FROM orders AS o
JOIN order_items AS oi ON oi.order_id = o.order_id
WHERE o.status NOT IN ('cancelled', 'returned')
  AND o.order_date >= '2024-01-01' AND o.order_date < '2025-01-01'
GROUP BY month
ORDER BY month;
